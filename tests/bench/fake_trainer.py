"""A fake of ``python -m trainer`` for the C-MAPSS seed steps: no TensorFlow, figures made from the seed.

It prints what the real trainer prints on stdout (three ``<RFC3339> epoch=N ... val_rmse=...`` lines, then
the final ``test_rmse=... params=...`` line) with figures that depend on ``--seed`` through
:func:`figures`, so a test can compute the expected means. Each call appends its arguments as one JSON line
to ``$FAKE_TRAINER_LOG`` (which runs happened, with which flags). ``$FAKE_TRAINER_DIVERGE=S`` makes seed S
exit 3 after two epochs, as a diverging run does; ``$FAKE_TRAINER_FAIL=1`` makes every run exit 1 with a
``trainer:`` line on stderr, as a data error does.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

EPOCHS = 3


def figures(seed: int) -> dict[str, float]:
    """The final line's figures for ``seed``; the best val_rmse is the last epoch's, 14.0 + seed / 100."""
    return {
        "test_rmse": 12.0 + seed / 10,
        "test_mae": 9.0 + seed / 20,
        "test_score": 250.0 + 10 * seed,
        "train_seconds": 1.5,
        "params": 100.0,
    }


def val_rmse(seed: int, epoch: int) -> float:
    return 14.0 + seed / 100 + (EPOCHS - epoch)


def main(argv: list[str]) -> int:
    log = os.environ.get("FAKE_TRAINER_LOG")
    if log:
        with Path(log).open("a") as handle:
            handle.write(json.dumps(argv) + "\n")
    if os.environ.get("FAKE_TRAINER_FAIL"):
        print("trainer: train_FD001.txt: no such file", file=sys.stderr)
        return 1
    seed = int(next(a for a in argv if a.startswith("--seed=")).split("=", 1)[1])
    diverge = os.environ.get("FAKE_TRAINER_DIVERGE") == str(seed)
    for epoch in range(1, EPOCHS + 1):
        if diverge and epoch == EPOCHS:
            print("trainer: training diverged (non-finite loss)", file=sys.stderr)
            return 3
        print(f"2026-12-02T01:00:0{epoch}.000Z epoch={epoch} loss=1.0 val_rmse={val_rmse(seed, epoch)}")
    print("2026-12-02T01:00:09.000Z " + " ".join(f"{k}={v}" for k, v in figures(seed).items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
