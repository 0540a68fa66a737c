"""Serve optuna-dashboard over a journal storage that a background thread keeps in step with the Experiment.

The journal file lives in a temporary directory for the life of the command: the study is rebuilt from
Katib's state at every start (so it never holds trials that local state no longer has) and removed at exit.
Katib's state (local SQLite or the cluster's objects) stays the only record.

Threads: the HTTP server (``wsgiref``, one thread per request) runs in the calling thread; the sync thread
takes a snapshot every ``interval`` seconds and mirrors it. Both share one JournalStorage, which serialises
its own writes with a lock. A failed sync (the cluster briefly unreachable, the local store locked) is
reported on stderr once per distinct message and retried at the next interval; the page keeps serving what
it has.
"""

from __future__ import annotations

import errno
import socketserver
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import optuna
import optuna_dashboard
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend

from katib_local.dashboard._mirror import StudyMirror
from katib_local.dashboard._snapshot import ExperimentSnapshot

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication


class PortInUseError(Exception):
    """The address is taken (or cannot be bound); the message is one line naming host and port."""


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = False  # a port held by another server must be refused, not shared


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line per request: the terminal keeps the one line that says where the dashboard is."""


@contextmanager
def journal_storage() -> Iterator[JournalStorage]:
    """A JournalStorage over a file in a fresh temporary directory, removed on exit."""
    with tempfile.TemporaryDirectory(prefix="katib-local-dashboard-") as folder:
        path = Path(folder) / "study.journal"
        yield JournalStorage(JournalFileBackend(str(path)))


def bind(app: WSGIApplication, host: str, port: int) -> WSGIServer:
    """A bound (not yet serving) server; raises :class:`PortInUseError` when the address is taken."""
    try:
        return make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(
                f"port {port} on {host} is already in use (choose another with --port)"
            ) from None
        raise PortInUseError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


class Follower:
    """Mirrors ``snapshot()`` into the storage now and then every ``interval`` seconds until stopped."""

    def __init__(self, storage: JournalStorage, snapshot: Callable[[], ExperimentSnapshot], interval: float):
        self._snapshot, self._interval = snapshot, interval
        first = snapshot()
        self.mirror = StudyMirror(storage, first)
        self.mirror.sync(first)
        self._stop = threading.Event()
        self._last_error = ""
        self._thread = threading.Thread(target=self._run, name="dashboard-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=max(5.0, 2 * self._interval))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.mirror.sync(self._snapshot())
                self._last_error = ""
            except Exception as exc:  # keep serving; say once what went wrong
                message = " ".join(str(exc).split()) or type(exc).__name__
                if message != self._last_error:
                    print(
                        f"katib-local: warning: dashboard sync failed: {message}", file=sys.stderr, flush=True
                    )
                    self._last_error = message


def serve(
    snapshot: Callable[[], ExperimentSnapshot],
    host: str,
    port: int,
    interval: float = 2.0,
    ready: Callable[[str, Callable[[], None]], None] | None = None,
) -> None:
    """Mirror, bind, then call ``ready(url, stop)`` and serve until KeyboardInterrupt or ``stop()``.

    ``url`` is the dashboard's page (the bound port, so ``port=0`` works); ``stop`` ends serving when called
    from another thread (an embedding program's or a test's way out). Raises :class:`PortInUseError` before
    serving when the address is taken; KeyboardInterrupt propagates after the server and the sync thread are
    stopped and the journal removed.
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with journal_storage() as storage:
        follower = Follower(storage, snapshot, interval)
        server = bind(optuna_dashboard.wsgi(storage), host, port)
        try:
            follower.start()
            if ready is not None:
                ready(f"http://{host}:{server.server_port}/dashboard/", server.shutdown)
            server.serve_forever(poll_interval=0.2)
        finally:
            follower.stop()
            server.server_close()
