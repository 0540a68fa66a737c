"""A TF-free trial program for the runner's tests: prints Katib-format metric lines from its flags.

``objective`` at epoch ``e`` (1-based) is ``(x - 1)**2 + y**2 + 1/e``; ``loss`` is twice that. Both are
printed once per epoch as ``<RFC3339> epoch=e loss=... objective=...``.

Flags (``--name=value``):
  --x, --y            the point (floats; y defaults to 0)
  --epochs            epochs to print (default 3)
  --exit-code         exit with this code after printing (default 0)
  --no-objective      print only loss (the objective is never reported)
  --no-timestamp      omit the timestamp token
  --out-file          write the lines to this file instead of stdout (File collector)
  --json              write JSON lines with string values (File collector, format JSON)
  --tag-file          write "<KATIB_TRIAL_NAME>" and the argv to this path (to check rendering)
  --hold-dir          coordination directory: the first --run-through trials (by start order) run straight
                      through; later ones print epoch 1, create <dir>/<trial>.held, and wait until
                      <dir>/release exists (bounded: 120 s) before going on
  --run-through       see --hold-dir (default 0)
SIGTERM exits 143 at once.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


def _stamp() -> str:
    return datetime.now(tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _start_index(directory: Path) -> int:
    index = 1
    while True:
        try:
            fd = os.open(directory / f"start-{index}", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            index += 1
            continue
        os.close(fd)
        return index


def _wait_for_release(directory: Path, trial: str) -> None:
    (directory / f"{trial}.held").write_text(str(os.getpid()))
    deadline = time.monotonic() + 120.0
    while not (directory / "release").exists():
        if time.monotonic() > deadline:
            sys.exit(4)
        time.sleep(0.05)


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(143))
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=float, required=True)
    parser.add_argument("--y", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--exit-code", type=int, default=0)
    parser.add_argument("--no-objective", action="store_true")
    parser.add_argument("--no-timestamp", action="store_true")
    parser.add_argument("--out-file", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--tag-file", type=Path)
    parser.add_argument("--hold-dir", type=Path)
    parser.add_argument("--run-through", type=int, default=0)
    args = parser.parse_args()
    trial = os.environ.get("KATIB_TRIAL_NAME", "unknown")
    if args.tag_file:
        args.tag_file.parent.mkdir(parents=True, exist_ok=True)
        args.tag_file.write_text(
            json.dumps(
                {
                    "trial": trial,
                    "argv": sys.argv[1:],
                    "cwd": str(Path.cwd()),
                    "env": {k: v for k, v in os.environ.items() if k.isupper()},
                }
            )
        )
    hold = args.hold_dir is not None and _start_index(args.hold_dir) > args.run_through
    out = args.out_file.open("a") if args.out_file else sys.stdout
    for epoch in range(1, args.epochs + 1):
        objective = (args.x - 1.0) ** 2 + args.y**2 + 1.0 / epoch
        if args.json:
            record = {"timestamp": _stamp(), "epoch": str(epoch), "loss": str(2 * objective)}
            if not args.no_objective:
                record["objective"] = str(objective)
            line = json.dumps(record)
        else:
            pairs = f"epoch={epoch} loss={2 * objective!r}"
            if not args.no_objective:
                pairs += f" objective={objective!r}"
            line = pairs if args.no_timestamp else f"{_stamp()} {pairs}"
        print(line, file=out, flush=True)
        if hold and epoch == 1 and args.hold_dir is not None:
            _wait_for_release(args.hold_dir, trial)
    return args.exit_code


if __name__ == "__main__":
    sys.exit(main())
