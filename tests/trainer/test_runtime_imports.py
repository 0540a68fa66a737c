"""TensorFlow and Keras are imported without the optional modules they would load for features the trainer
never uses, and those modules can be imported normally afterwards (the CSV readers need pandas).

In a fresh interpreter (the test process may have imported any of them already, and a module already
imported is left alone by design).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from tests.trainer.conftest import trainer_env
from trainer.runtime import _OPTIONAL_AT_IMPORT

pytestmark = pytest.mark.tensorflow

CHILD = f"""
import importlib, importlib.util, json, sys
from trainer import runtime
runtime.import_tensorflow(debug=False)
loaded = [name for name in {_OPTIONAL_AT_IMPORT!r} if name in sys.modules]
later = [name for name in {_OPTIONAL_AT_IMPORT!r} if importlib.util.find_spec(name) is not None]
for name in later:
    importlib.import_module(name)
print(json.dumps({{"keras": "keras" in sys.modules, "loaded": loaded, "later": later}}))
"""


def test_tensorflow_comes_without_the_optional_modules_and_they_load_later() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300, env=trainer_env()
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    installed = [name for name in _OPTIONAL_AT_IMPORT if importlib.util.find_spec(name) is not None]
    assert installed, "none of the optional modules is installed: the test would prove nothing"
    assert seen == {"keras": True, "loaded": [], "later": installed}
