"""Resume and exclusion: SIGKILL of the runner mid-experiment, a second runner, Ctrl-C."""

from __future__ import annotations

import functools
import signal

from katib_local.cli import main
from tests.katib_local.runner_helpers import (
    pid_alive,
    quadratic_experiment,
    start_runner,
    trials_in_db,
    wait_until,
    write_experiment,
)


def gone(pid: int) -> bool:
    return not pid_alive(pid)


def held(hold_dir):
    return sorted(p.stem for p in hold_dir.glob("*.held"))


def test_sigkill_mid_experiment_then_rerun_loses_and_duplicates_nothing(tmp_path):
    hold = tmp_path / "hold"
    hold.mkdir()
    root = tmp_path / "runs"
    doc = quadratic_experiment(
        "quad-resume",
        ["0", "1", "2", "3", "4", "5"],
        parallel=2,
        max_trials=5,
        extra_args=[f"--hold-dir={hold}", "--run-through=2"],
    )
    path = write_experiment(tmp_path, doc)
    runner = start_runner(path, root, tmp_path / "run1.log")
    try:
        wait_until(lambda: len(held(hold)) == 2, "two trials held after two ran through", proc=runner)
        before = trials_in_db(root, "quad-resume")
        done = {t["name"]: t for t in before if t["status"] == "Succeeded"}
        assert len(done) == 2
        running = [t for t in before if t["status"] == "Running"]
        assert len(running) == 2
        runner.send_signal(signal.SIGKILL)
        runner.wait()
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    # The trials die with their runner (parent-death signal).
    for pid in [int(t["pid"]) for t in running]:
        wait_until(functools.partial(gone, pid), f"trial process {pid} gone after the runner died")

    (hold / "release").touch()
    assert main(["run", str(path), "--root", str(root), "--plain"]) == 0
    after = trials_in_db(root, "quad-resume")
    names = [t["name"] for t in after]
    assert len(after) == 5 and len(set(names)) == 5
    assert {t["status"] for t in after} == {"Succeeded"}
    assert len({t["assignments"]["x"] for t in after}) == 5, "no assignment duplicated"
    for name, t in done.items():
        kept = next(a for a in after if a["name"] == name)
        assert kept["logs"] == t["logs"] and kept["completed"] == t["completed"]
    rerun = {t["name"] for t in running}
    assert rerun <= set(names), "interrupted trials re-run under their own names"
    assert all(next(a for a in after if a["name"] == n)["attempts"] == 2 for n in rerun)


def test_second_runner_is_refused_and_ctrl_c_keeps_state(tmp_path):
    hold = tmp_path / "hold"
    hold.mkdir()
    root = tmp_path / "runs"
    doc = quadratic_experiment(
        "quad-lock", ["0", "1", "2"], parallel=1, max_trials=2, extra_args=[f"--hold-dir={hold}"]
    )
    path = write_experiment(tmp_path, doc)
    runner = start_runner(path, root, tmp_path / "run1.log")
    try:
        wait_until(lambda: len(held(hold)) == 1, "first trial held", proc=runner)
        assert main(["run", str(path), "--root", str(root), "--plain"]) == 3
        (pid,) = [t["pid"] for t in trials_in_db(root, "quad-lock") if t["status"] == "Running"]
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=60) == 130
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    assert not pid_alive(pid)
    (trial,) = trials_in_db(root, "quad-lock")
    assert trial["status"] == "Created" and trial["logs"] == []
    (hold / "release").touch()
    assert main(["run", str(path), "--root", str(root), "--plain"]) == 0
    after = trials_in_db(root, "quad-lock")
    assert after[0]["name"] == trial["name"] and [t["status"] for t in after] == ["Succeeded", "Succeeded"]
