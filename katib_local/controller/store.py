"""SQLite state under ``--root``: experiments, trials and observation logs, like Katib's objects and database.

One file, ``<root>/katib-local.db``, in WAL mode so that ``status``/``results`` can read while a runner
writes. Only the runner's main thread writes. Tables:

- ``experiments``: name (primary key: one experiment name per root), namespace, the defaulted spec as JSON,
  its conditions as JSON (Katib's ``status.conditions``), created/updated times.
- ``trials``: name, experiment, a sequence number (creation order), assignments and frozen early-stopping
  rules as JSON, status (Katib's condition type), message, exit code, created/started/completed times, the
  process id and its start time (so that a resumed run can tell a leftover process from a reused pid).
- ``observation_logs``: Katib's rows ``(trial_name, metric_name, time, value)``; read back ``ORDER BY time``
  with insertion order breaking ties, as Katib's ``GetObservationLog`` returns them.
- ``suggestion_state``: per experiment, what a stateful suggestion service keeps between requests (Katib:
  hyperband's settings in the Suggestion status; PBT's queue, in its service's memory), as JSON.
- ``trial_labels``: labels a service put on a trial (PBT's generation and parent), as JSON. Tables added
  later are separate tables, so an older database gains them with ``CREATE TABLE IF NOT EXISTS``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from katib_local.controller.medianstop import StopRule
from katib_local.controller.observation import MetricLog
from katib_local.controller.timestamps import now
from katib_local.experiment.types import TrialStatus

DB_NAME = "katib-local.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS experiments (
    name TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    spec TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    conditions TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trials (
    name TEXT PRIMARY KEY,
    experiment TEXT NOT NULL REFERENCES experiments(name),
    seq INTEGER NOT NULL,
    assignments TEXT NOT NULL,
    rules TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    exit_code INTEGER,
    created TEXT NOT NULL,
    started TEXT,
    completed TEXT,
    pid INTEGER,
    pid_start TEXT,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS trials_by_experiment ON trials(experiment, seq);
CREATE TABLE IF NOT EXISTS observation_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trial_name TEXT NOT NULL REFERENCES trials(name),
    metric_name TEXT NOT NULL,
    time TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_by_trial ON observation_logs(trial_name, time, id);
CREATE TABLE IF NOT EXISTS suggestion_state (
    experiment TEXT PRIMARY KEY,
    state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trial_labels (
    trial_name TEXT PRIMARY KEY,
    labels TEXT NOT NULL
);
"""


@dataclass
class ExperimentRow:
    name: str
    namespace: str
    spec: dict[str, Any]
    source: str
    conditions: list[dict[str, str]]
    created: str
    updated: str

    @property
    def last_condition(self) -> dict[str, str] | None:
        return self.conditions[-1] if self.conditions else None

    @property
    def is_completed(self) -> bool:
        last = self.last_condition
        return last is not None and last.get("type") in ("Succeeded", "Failed")


@dataclass
class TrialRow:
    name: str
    experiment: str
    seq: int
    assignments: dict[str, str]
    rules: list[StopRule]
    status: TrialStatus
    message: str = ""
    exit_code: int | None = None
    created: str = ""
    started: str | None = None
    completed: str | None = None
    pid: int | None = None
    pid_start: str | None = None
    attempts: int = 0
    logs: list[MetricLog] = field(default_factory=list)


class Store:
    """Access to one root's database. Not shared between threads: open one per thread."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.path = root / DB_NAME
        self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: either every statement lands or none (a SIGKILL mid-way leaves no half state)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # experiments ---------------------------------------------------------------------------------------
    def get_experiment(self, name: str) -> ExperimentRow | None:
        row = self._conn.execute("SELECT * FROM experiments WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        return ExperimentRow(
            row["name"],
            row["namespace"],
            json.loads(row["spec"]),
            row["source"],
            json.loads(row["conditions"]),
            row["created"],
            row["updated"],
        )

    def list_experiments(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT name FROM experiments ORDER BY created")]

    def create_experiment(self, name: str, namespace: str, spec: dict[str, Any], source: str) -> None:
        stamp = now()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO experiments(name, namespace, spec, source, conditions, created, updated) "
                "VALUES (?, ?, ?, ?, '[]', ?, ?)",
                (name, namespace, json.dumps(spec), source, stamp, stamp),
            )

    def update_experiment_spec(self, name: str, spec: dict[str, Any]) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE experiments SET spec = ?, updated = ? WHERE name = ?", (json.dumps(spec), now(), name)
            )

    def add_condition(self, name: str, ctype: str, reason: str, message: str) -> None:
        """Append a condition (Katib keeps the history; the last one is the experiment's state)."""
        exp = self.get_experiment(name)
        if exp is None:
            raise KeyError(name)
        conditions = [c for c in exp.conditions if c.get("type") != ctype]
        conditions.append({"type": ctype, "reason": reason, "message": message, "lastTransitionTime": now()})
        with self.transaction() as conn:
            conn.execute(
                "UPDATE experiments SET conditions = ?, updated = ? WHERE name = ?",
                (json.dumps(conditions), now(), name),
            )

    # trials --------------------------------------------------------------------------------------------
    def add_trials(
        self,
        experiment: str,
        trials: Sequence[tuple[str, dict[str, str]]],
        rules: list[StopRule],
        *,
        labels: Mapping[str, Mapping[str, str]] | None = None,
        suggestion_state: Mapping[str, Any] | None = None,
    ) -> None:
        """Insert a batch of new trials (status Created) with the batch's frozen rules, atomically.

        ``labels`` (trial name -> labels) and ``suggestion_state`` (what a stateful suggestion service keeps,
        Katib's Suggestion status) are written in the same transaction, so a runner killed in between leaves
        neither the trials nor the state that produced them.
        """
        stamp = now()
        rules_json = json.dumps([r.to_json() for r in rules])
        with self.transaction() as conn:
            (seq,) = conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM trials WHERE experiment = ?", (experiment,)
            ).fetchone()
            for offset, (name, assignments) in enumerate(trials, start=1):
                conn.execute(
                    "INSERT INTO trials(name, experiment, seq, assignments, rules, status, created) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        experiment,
                        seq + offset,
                        json.dumps(assignments),
                        rules_json,
                        TrialStatus.CREATED.value,
                        stamp,
                    ),
                )
            for name, trial_labels in (labels or {}).items():
                conn.execute(
                    "INSERT OR REPLACE INTO trial_labels(trial_name, labels) VALUES (?, ?)",
                    (name, json.dumps(dict(trial_labels))),
                )
            if suggestion_state is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO suggestion_state(experiment, state) VALUES (?, ?)",
                    (experiment, json.dumps(suggestion_state)),
                )

    def suggestion_state(self, experiment: str) -> dict[str, Any] | None:
        """What the stateful suggestion service kept at its last reply (``None``: nothing yet)."""
        row = self._conn.execute(
            "SELECT state FROM suggestion_state WHERE experiment = ?", (experiment,)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def trial_labels(self, experiment: str) -> dict[str, dict[str, str]]:
        """Labels per trial name, for the trials that have any (PBT's generation and parent)."""
        rows = self._conn.execute(
            "SELECT l.trial_name, l.labels FROM trial_labels l JOIN trials t ON t.name = l.trial_name "
            "WHERE t.experiment = ?",
            (experiment,),
        )
        return {name: dict(json.loads(text)) for name, text in rows}

    def mark_running(self, trial: str, pid: int, pid_start: str | None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE trials SET status = ?, started = ?, pid = ?, pid_start = ?, attempts = attempts + 1 "
                "WHERE name = ?",
                (TrialStatus.RUNNING.value, now(), pid, pid_start, trial),
            )

    def complete_trial(
        self, trial: str, status: TrialStatus, exit_code: int | None, message: str, logs: Iterable[MetricLog]
    ) -> None:
        """Record a trial's end and its observation log in one transaction."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM observation_logs WHERE trial_name = ?", (trial,))
            conn.executemany(
                "INSERT INTO observation_logs(trial_name, metric_name, time, value) VALUES (?, ?, ?, ?)",
                [(trial, r.name, r.time, r.value) for r in logs],
            )
            conn.execute(
                "UPDATE trials SET status = ?, exit_code = ?, message = ?, completed = ?, pid = NULL "
                "WHERE name = ?",
                (status.value, exit_code, message, now(), trial),
            )

    def reset_trial(self, trial: str, message: str) -> None:
        """Put an interrupted trial back to Created (it reruns from scratch under its name)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM observation_logs WHERE trial_name = ?", (trial,))
            conn.execute(
                "UPDATE trials SET status = ?, message = ?, exit_code = NULL, started = NULL, "
                "completed = NULL, pid = NULL, pid_start = NULL WHERE name = ?",
                (TrialStatus.CREATED.value, message, trial),
            )

    def trials(self, experiment: str, with_logs: bool = True) -> list[TrialRow]:
        """Every trial of ``experiment`` in creation order, with observation logs in Katib's order."""
        rows = self._conn.execute(
            "SELECT * FROM trials WHERE experiment = ? ORDER BY seq", (experiment,)
        ).fetchall()
        result = [
            TrialRow(
                name=r["name"],
                experiment=r["experiment"],
                seq=r["seq"],
                assignments=json.loads(r["assignments"]),
                rules=[StopRule.from_json(x) for x in json.loads(r["rules"])],
                status=TrialStatus(r["status"]),
                message=r["message"],
                exit_code=r["exit_code"],
                created=r["created"],
                started=r["started"],
                completed=r["completed"],
                pid=r["pid"],
                pid_start=r["pid_start"],
                attempts=r["attempts"],
            )
            for r in rows
        ]
        if with_logs:
            by_name = {t.name: t for t in result}
            for log in self._conn.execute(
                "SELECT l.trial_name, l.metric_name, l.time, l.value FROM observation_logs l "
                "JOIN trials t ON t.name = l.trial_name WHERE t.experiment = ? ORDER BY l.time, l.id",
                (experiment,),
            ):
                by_name[log[0]].logs.append(MetricLog(log[1], log[2], log[3]))
        return result
