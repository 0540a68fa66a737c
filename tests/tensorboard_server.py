"""Start a real TensorBoard on a free local port and talk to its HParams plugin over HTTP.

Shared by the trainer tests (one run) and the katib-local tests (every trial of an experiment).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_READY = re.compile(r"TensorBoard \S+ at (http://127\.0\.0\.1:\d+/)")


@contextmanager
def tensorboard(logdir: Path, startup_timeout: float = 120) -> Iterator[str]:
    """Run ``tensorboard --logdir LOGDIR --port 0`` and yield its base URL once it says it is serving.

    Port 0 lets the OS choose a free port; TensorBoard prints the URL it bound on stderr, and that line is the
    readiness signal. The process is always terminated (then killed if it lingers).
    """
    exe = Path(sys.executable).with_name("tensorboard")
    proc = subprocess.Popen(
        [str(exe), "--logdir", str(logdir), "--host", "127.0.0.1", "--port", "0", "--reload_interval", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    found: list[str] = []
    ready = threading.Event()

    def watch() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:  # keep draining after readiness so TensorBoard never blocks on a full pipe
            match = _READY.search(line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()  # stderr closed: TensorBoard exited

    threading.Thread(target=watch, daemon=True).start()
    try:
        ready.wait(startup_timeout)
        if not found:
            raise RuntimeError(f"TensorBoard did not report a URL (exit code {proc.poll()})")
        yield found[0]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def post_json(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def session_groups(base_url: str) -> list[dict[str, Any]]:
    body = {
        "experimentName": "",
        "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"],
        "colParams": [],
        "startIndex": 0,
        "sliceSize": 1000,
    }
    groups: list[dict[str, Any]] = post_json(base_url + "data/plugin/hparams/session_groups", body).get(
        "sessionGroups", []
    )
    return groups


def wait_for_session(base_url: str, name: str, metric: str, timeout: float = 60) -> dict[str, Any]:
    """Poll until TensorBoard has loaded session ``name`` with ``metric``: its loader runs in the background,
    so the first answers after start-up may be empty. Fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        for group in session_groups(base_url):
            metrics = {m["name"]["tag"] for m in group.get("metricValues", [])}
            if group["name"] == name and metric in metrics:
                return group
        if time.monotonic() > deadline:
            raise AssertionError(f"TensorBoard never served session {name!r} with {metric!r}")
        time.sleep(0.5)  # polling interval of a readiness check, not a synchronisation guess


def wait_for_sessions(base_url: str, names: set[str], timeout: float = 120) -> list[dict[str, Any]]:
    """Poll until every name in ``names`` ends some loaded session group's name (a run under a common parent
    is named ``<experiment>/<trial>``); returns all groups. Fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        groups = session_groups(base_url)
        loaded = {n for n in names if any(g["name"].rstrip("/").endswith(n) for g in groups)}
        if loaded == names:
            return groups
        if time.monotonic() > deadline:
            raise AssertionError(f"TensorBoard never served sessions {sorted(names - loaded)}")
        time.sleep(0.5)  # polling interval of a readiness check, not a synchronisation guess
