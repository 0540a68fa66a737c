"""A TF-free trial program that checkpoints: an epoch counter kept in ``--checkpoint-dir``.

Each epoch prints ``<RFC3339> epoch=e loss=...`` with ``loss = (x - 0.3)**2 + 1/(1 + e)``, where ``e`` counts
every epoch trained into the checkpoint, by this process and by the ones whose directory it started from (a
PBT parent's copy). So ``loss`` falls with the epochs a lineage has trained and rises with the distance of
``x`` from 0.3.

Flags (``--name=value``):
  --x                 the hyperparameter (float)
  --epochs            epochs to train in this process (default 2), on top of any checkpoint found
  --checkpoint-dir    directory holding ``counter.json`` (``{"epoch": e, "lineage": [trial, ...]}``): read
                      at start when present, rewritten atomically (temporary file, then rename) after each
                      epoch; empty or absent: no checkpoint (starts from epoch 0, keeps nothing)

``lineage`` lists the trials (``KATIB_TRIAL_NAME``) that trained into this checkpoint, oldest first, so a test
can tell whose directory a child started from. SIGTERM exits 143 at once.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def _load(directory: Path | None) -> dict[str, Any]:
    if directory is None or not (directory / "counter.json").is_file():
        return {"epoch": 0, "lineage": []}
    return dict(json.loads((directory / "counter.json").read_text()))


def _save(directory: Path, state: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / "counter.json.tmp"
    tmp.write_text(json.dumps(state))
    tmp.replace(directory / "counter.json")


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(143))
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=float, required=True)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--checkpoint-dir", default="")
    args = parser.parse_args()
    directory = Path(args.checkpoint_dir) if args.checkpoint_dir else None
    state = _load(directory)
    state["lineage"] = [*state["lineage"], os.environ.get("KATIB_TRIAL_NAME", "unknown")]
    for _ in range(args.epochs):
        state["epoch"] += 1
        loss = (args.x - 0.3) ** 2 + 1.0 / (1 + state["epoch"])
        stamp = datetime.now(tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        print(f"{stamp} epoch={state['epoch']} loss={loss:.6f}", flush=True)
        if directory is not None:
            _save(directory, state)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
