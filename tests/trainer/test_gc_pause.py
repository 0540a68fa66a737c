"""The collector pause around a trial's start-up: off inside, back on at ``resume()`` or on leaving, and a
collector the caller had turned off is never turned on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from trainer.gc_pause import paused


@pytest.fixture
def collector_state() -> Iterator[None]:
    was_on = gc.isenabled()
    yield
    if was_on:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("collector_state")
def test_off_inside_on_after_resume_and_on_after_leaving() -> None:
    gc.enable()
    with paused() as resume:
        assert not gc.isenabled()
        resume()
        assert gc.isenabled()
        resume()  # twice is harmless
        assert gc.isenabled()
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_state")
def test_leaving_by_an_exception_turns_it_back_on() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_state")
def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    with paused() as resume:
        resume()
        assert not gc.isenabled()
    assert not gc.isenabled()
