"""A TF-free trial program that resumes as the trainer does: ``--epochs`` is the total, a checkpoint in
``--checkpoint-dir`` makes it continue at the next epoch, and no epoch is printed twice.

Each epoch writes ``state.json`` (``{"epoch": e, "starts": [...]}``, temporary file then rename) and THEN
prints ``<RFC3339> epoch=e objective=...`` with ``objective = (x - 0.3)**2 + 1/(1 + e)``. ``starts`` lists the
epoch each process started from (``[0, 2]``: one restart after epoch 2), so a test can tell a resume from a
rerun from scratch.

``--hold-after=N``: a process that started from no checkpoint waits, after printing epoch N, to be killed
from outside (at most 60 s, then exits 4); a resumed one never waits. SIGTERM exits 143 at once.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def _load(directory: Path) -> dict[str, Any]:
    path = directory / "state.json"
    return dict(json.loads(path.read_text())) if path.is_file() else {"epoch": 0, "starts": []}


def _save(directory: Path, state: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f"state.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(state))
    tmp.replace(directory / "state.json")


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(143))
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=float, required=True)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--checkpoint-dir", required=True)
    parser.add_argument("--hold-after", type=int, default=0)
    args = parser.parse_args()
    directory = Path(args.checkpoint_dir)
    state = _load(directory)
    fresh = state["epoch"] == 0
    state["starts"] = [*state["starts"], state["epoch"]]
    while state["epoch"] < args.epochs:
        state["epoch"] += 1
        _save(directory, state)
        objective = (args.x - 0.3) ** 2 + 1.0 / (1 + state["epoch"])
        stamp = datetime.now(tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        print(f"{stamp} epoch={state['epoch']} objective={objective:.6f}", flush=True)
        if fresh and state["epoch"] == args.hold_after:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # the test kills this process meanwhile
                time.sleep(0.05)
            return 4
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
