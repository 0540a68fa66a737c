"""A real TensorBoard process for the katib-local tests, and its HParams plugin's HTTP API."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

_URL = re.compile(r"(http://127\.0\.0\.1:\d+/)")
ALL_STATUSES = ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"]


class TensorBoardServer:
    """``tensorboard --logdir DIR`` on an OS-chosen port; the URL it prints is the readiness signal."""

    def __init__(self, logdir: Path) -> None:
        self.logdir = logdir
        self.url: str | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._seen = threading.Event()

    def __enter__(self) -> TensorBoardServer:
        binary = Path(sys.executable).parent / "tensorboard"
        self._proc = subprocess.Popen(
            [str(binary), "--logdir", str(self.logdir), "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self._seen.wait(timeout=180)
        if self.url is None:
            self.__exit__()
            raise RuntimeError("TensorBoard exited or never printed its URL")
        return self

    def _read_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for line in self._proc.stderr:  # drained to the end so the pipe never fills
            found = _URL.search(line)
            if found and self.url is None:
                self.url = found.group(1)
                self._seen.set()
        self._seen.set()

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def session_groups(self) -> list[dict[str, Any]]:
        """Every HParams session group TensorBoard has loaded so far."""
        assert self.url is not None
        body = {
            "experimentName": "",
            "allowedStatuses": ALL_STATUSES,
            "colParams": [],
            "startIndex": 0,
            "sliceSize": 1000,
        }
        request = urllib.request.Request(
            self.url + "data/plugin/hparams/session_groups",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return list(json.loads(response.read()).get("sessionGroups", []))

    def wait_for_sessions(self, names: set[str], timeout: float = 120.0) -> list[dict[str, Any]]:
        """Groups once every name in ``names`` is the suffix of some loaded session group's name (TensorBoard
        loads runs in the background); fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            groups = self.session_groups()
            loaded = {n for n in names if any(g["name"].rstrip("/").endswith(n) for g in groups)}
            if loaded == names:
                return groups
            if time.monotonic() > deadline:
                raise AssertionError(f"TensorBoard never served sessions {sorted(names - loaded)}")
            time.sleep(0.5)
