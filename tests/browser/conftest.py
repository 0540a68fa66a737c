"""One small real experiment per session, shared by the TensorBoard and dashboard tests (see
:mod:`tests.browser.small_experiment`). The tests carry ``xdist_group("browser")`` so it runs once."""

from __future__ import annotations

import pytest

from tests.browser.small_experiment import SmallExperiment, run_small_experiment


@pytest.fixture(scope="session")
def small_experiment(tmp_path_factory: pytest.TempPathFactory) -> SmallExperiment:
    done = run_small_experiment(tmp_path_factory.mktemp("small-experiment"))
    assert done.exit_code == 0, f"katib-local run exited {done.exit_code}"
    failed = [r["name"] for r in done.results if r["status"] != "Succeeded"]
    assert not failed, f"trials failed: {failed} (see {done.root}/experiments/*/trials/*/metrics.log)"
    return done
