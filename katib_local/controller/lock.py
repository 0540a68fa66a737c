"""One runner per experiment: an exclusive ``flock`` on ``<root>/experiments/<name>/runner.lock``.

The kernel drops the lock when the holding process ends for any reason, SIGKILL included, so a crashed runner
never leaves a stale lock and a resumed run needs no cleanup. The file holds the holder's pid, for the refusal
message only. (``flock`` is advisory and local: two machines sharing an NFS root are not protected.)
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class ExperimentLocked(Exception):  # noqa: N818 - reads as the condition it reports
    """Another runner holds this experiment."""


class RunnerLock:
    """Held from :meth:`acquire` until :meth:`release` or process exit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`ExperimentLocked` naming the holder's pid; never waits."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise ExperimentLocked(
                f"another katib-local runner (pid {holder}) is running this experiment"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunnerLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
