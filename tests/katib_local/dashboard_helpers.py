"""Run ``katib-local dashboard`` in process (a thread) on a free port, and read its HTTP API.

The command itself runs, as the CLI runs it; only its announcement is intercepted, to learn the URL and the
stop function that :func:`katib_local.dashboard.serve` hands over.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from katib_local.cluster import KatibClient
from katib_local.commands import dashboard as dashboard_command

from .fake_kube import cli


@contextmanager
def running_dashboard(
    monkeypatch: pytest.MonkeyPatch, *argv: str, client: KatibClient | None = None
) -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:PORT``) while ``katib-local dashboard ARGV --port 0`` serves;
    stop it on exit and check that the command returned 0."""
    announced: list[tuple[str, Any]] = []
    ready = threading.Event()

    def announce(url: str, stop: Any) -> None:
        announced.append((url, stop))
        ready.set()

    monkeypatch.setattr(dashboard_command, "_announce", announce)
    codes: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            codes.append(cli("dashboard", *argv, "--port", "0", "--interval", "0.2", client=client))
        except BaseException as exc:  # surfaced in the test thread below
            errors.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(60), "the dashboard never announced its URL"
    if errors:
        raise errors[0]
    assert announced, f"the dashboard exited with {codes} before serving"
    url, stop = announced[0]
    try:
        yield url.removesuffix("/dashboard/")
    finally:
        stop()
        thread.join(30)
    assert codes == [0]


def api(base: str, path: str) -> Any:
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return json.loads(response.read())


def study(base: str) -> dict[str, Any]:
    """The one study's detail (``/api/studies/<id>``), as the dashboard's page fetches it."""
    summaries = api(base, "/api/studies")["study_summaries"]
    assert len(summaries) == 1, summaries
    detail: dict[str, Any] = api(base, f"/api/studies/{summaries[0]['study_id']}")
    return detail


def attrs(trial: dict[str, Any]) -> dict[str, str]:
    """A trial's user attributes as the API lists them (``[{key, value}, ...]``) as a dict."""
    return {a["key"]: a["value"] for a in trial["user_attrs"]}
