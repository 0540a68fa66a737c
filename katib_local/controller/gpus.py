"""The GPUs a local run may hand to trials, and their assignment.

On a cluster each trial pod that requests ``nvidia.com/gpu: n`` gets ``n`` whole GPUs and a pod that requests
none sees none. Locally the same is done with ``CUDA_VISIBLE_DEVICES``. The pool is the runner's own
``CUDA_VISIBLE_DEVICES`` when set, else what ``nvidia-smi -L`` lists, else empty.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Sequence


def detect_gpus() -> list[str]:
    """GPU ids visible to this process (empty when there are none or ``nvidia-smi`` is absent or fails)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [g.strip() for g in visible.split(",") if g.strip() and g.strip() != "-1"]
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [m.group(1) for m in re.finditer(r"^GPU (\d+):", out, re.MULTILINE)]


class GpuPool:
    """Whole GPUs lent to trials; thread-safe. ``take`` never blocks: the caller retries after a release."""

    def __init__(self, gpu_ids: Sequence[str]) -> None:
        self.total = list(gpu_ids)
        self._free = list(gpu_ids)
        self._lock = threading.Lock()

    def take(self, count: int) -> list[str] | None:
        """``count`` free GPU ids, or ``None`` when that many are not free now.

        A request larger than the whole pool can never be met: it gets every GPU there is (possibly none),
        and the caller warns.
        """
        with self._lock:
            count = min(count, len(self.total))
            if count > len(self._free):
                return None
            taken, self._free = self._free[:count], self._free[count:]
            return taken

    def release(self, ids: Sequence[str]) -> None:
        with self._lock:
            self._free.extend(i for i in ids if i not in self._free)
