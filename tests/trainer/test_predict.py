"""The trainer's real export answers TF Serving's REST request format, through the signature TF Serving calls.

The shared ``export`` fixture (tests/conftest.py: one tiny trainer run per architecture, lstm and cnn, each a
subprocess as Katib runs a trial) gives the model every TensorFlow test here runs against. Its predictions
through ``trainer.predict`` must reproduce the ``test_rmse`` the trainer reported for the same data, which
ties the served signature to the trained Keras model.
"""

from __future__ import annotations

import json
import math
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import Export
from trainer import predict
from trainer.predict import ServingError, resolve_version_dir, unreadable_by_others


@pytest.fixture(scope="module")
def predictor(export: Export) -> predict.Predictor:
    return predict.Predictor(export.base_dir)


@pytest.mark.tensorflow
@pytest.mark.xdist_group("trainer-predict")
def test_exported_signature_is_the_one_tf_serving_calls(export: Export) -> None:
    """TF Serving reads ``signature_def['serving_default']`` of the ``serve`` meta graph in saved_model.pb."""
    version_dir = resolve_version_dir(export.base_dir)
    assert version_dir == export.base_dir / "1"
    signatures = predict.read_signatures(version_dir)
    assert predict.DEFAULT_SIGNATURE in signatures
    signature = signatures[predict.DEFAULT_SIGNATURE]
    assert signature.method_name == predict.PREDICT_METHOD
    assert list(signature.inputs) == ["window"]
    window = signature.inputs["window"]
    assert window.dtype == "float32"
    assert window.shape == (None, export.window, export.n_features)
    (output,) = signature.outputs.values()
    assert output.dtype == "float32"
    assert output.shape == (None, 1)
    # TF Serving runs without XLA:CPU JIT by default: nothing in the graph may demand it.
    assert predict.functions_requiring_xla(version_dir) == []


@pytest.mark.tensorflow
@pytest.mark.xdist_group("trainer-predict")
def test_rest_predictions_reproduce_the_trainers_test_rmse(
    export: Export, predictor: predict.Predictor
) -> None:
    # A REST body is JSON: the windows travel as text and come back as text, as they would to TF Serving.
    body = json.loads(json.dumps({"instances": export.test_x.tolist()}))
    response = json.loads(json.dumps(predictor.predict(body)))
    assert list(response) == ["predictions"]
    predictions = response["predictions"]
    assert len(predictions) == len(export.test_y)
    assert all(isinstance(p, list) and len(p) == 1 for p in predictions)
    values = np.array([p[0] for p in predictions], dtype=np.float64)
    rmse = math.sqrt(float(np.mean((values - export.test_y.astype(np.float64)) ** 2)))
    assert rmse == pytest.approx(export.reported_test_rmse, rel=1e-4)


@pytest.mark.tensorflow
@pytest.mark.xdist_group("trainer-predict")
def test_columnar_and_named_formats_give_the_same_numbers(
    export: Export, predictor: predict.Predictor
) -> None:
    windows = export.test_x[:3].tolist()
    rows = predictor.predict({"instances": windows})["predictions"]
    named = predictor.predict({"instances": [{"window": w} for w in windows]})["predictions"]
    columnar = predictor.predict({"inputs": windows})
    columnar_named = predictor.predict({"inputs": {"window": windows}, "signature_name": "serving_default"})
    assert named == rows
    assert columnar == {"outputs": rows}
    assert columnar_named == {"outputs": rows}


BAD_REQUESTS = [
    pytest.param([1, 2], "must be a JSON object", id="not-an-object"),
    pytest.param({}, "exactly one of 'instances'", id="no-instances"),
    pytest.param({"instances": [], "inputs": []}, "exactly one of 'instances'", id="both-formats"),
    pytest.param({"instances": []}, "non-empty list", id="empty-instances"),
    pytest.param({"instances": [[[1.0] * 5] * 30]}, "expected shape [batch, 30, ", id="too-few-features"),
    pytest.param({"instances": [[[1.0] * 4] * 29]}, "got [1, 29, 4]", id="short-window"),
    pytest.param({"instances": [[[1.0]], [[1.0], [2.0]]]}, "ragged", id="ragged"),
    pytest.param({"instances": [["a"]]}, "cannot read as float32", id="strings"),
    pytest.param({"instances": [{"sensor": 1}]}, "the signature's inputs are ['window']", id="unknown-input"),
    pytest.param(
        {"inputs": [1.0], "signature_name": "classify"}, "no signature 'classify'", id="no-such-signature"
    ),
    pytest.param({"instances": [1.0], "version": 2}, "unknown key(s) 'version'", id="unknown-key"),
]


@pytest.mark.parametrize(("body", "message"), BAD_REQUESTS)
@pytest.mark.tensorflow
@pytest.mark.xdist_group("trainer-predict")
def test_bad_request_is_refused_with_the_reason(
    predictor: predict.Predictor, body: Any, message: str
) -> None:
    with pytest.raises(ServingError) as caught:
        predictor.predict(body)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def _cli(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trainer.predict", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


@pytest.mark.tensorflow
@pytest.mark.xdist_group("trainer-predict")
@pytest.mark.parametrize("export", ["lstm"], indirect=True)  # the CLI does not depend on the model
def test_cli_answers_a_rest_body_from_the_model_base_dir(
    export: Export, predictor: predict.Predictor
) -> None:
    body = {"instances": export.test_x[:2].tolist()}
    run = _cli(["--model-dir", str(export.base_dir), "--request", "-"], json.dumps(body))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == predictor.predict(body)


@pytest.mark.tensorflow
@pytest.mark.xdist_group("trainer-predict")
@pytest.mark.parametrize("export", ["lstm"], indirect=True)  # the CLI does not depend on the model
def test_cli_bad_request_exits_1_with_one_line(export: Export, tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"instances": [[1.0, 2.0]]}))
    run = _cli(["--model-dir", str(export.base_dir / "1"), "--request", str(request)], "")
    assert run.returncode == predict.EXIT_BAD_INPUT
    assert run.stdout == ""
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("predict: error: instances: input 'window': expected shape [batch, 30, ")


@pytest.mark.tensorflow
@pytest.mark.xdist_group("trainer-predict")
def test_export_is_readable_by_tf_servings_user(export: Export) -> None:
    assert unreadable_by_others(resolve_version_dir(export.base_dir)) == []


def test_cli_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        predict.main(["--request", "-"])
    assert caught.value.code == predict.EXIT_USAGE
    assert "--model-dir" in capsys.readouterr().err


def test_version_is_picked_like_tf_serving(tmp_path: Path) -> None:
    for name in ["1", "10", "9", ".tmp-11-x", "12"]:
        (tmp_path / name).mkdir()
    for name in ["1", "10", "9", ".tmp-11-x"]:
        (tmp_path / name / "saved_model.pb").write_bytes(b"")
    # 12 has no saved_model.pb (still being written elsewhere), .tmp-* is not numeric: 10 wins, not 9.
    assert resolve_version_dir(tmp_path) == tmp_path / "10"
    assert resolve_version_dir(tmp_path / "9") == tmp_path / "9"
    with pytest.raises(ServingError, match="no numeric version directory"):
        resolve_version_dir(tmp_path / "12")
    with pytest.raises(ServingError, match="no such directory"):
        resolve_version_dir(tmp_path / "absent")


def test_private_model_files_are_reported(tmp_path: Path) -> None:
    version = tmp_path / "1"
    (version / "variables").mkdir(parents=True)
    (version / "saved_model.pb").write_bytes(b"")
    (version / "variables" / "variables.index").write_bytes(b"")
    version.chmod(0o755)
    (version / "variables").chmod(0o755)
    assert unreadable_by_others(version) == []
    (version / "variables").chmod(0o700)
    (version / "saved_model.pb").chmod(0o600)
    assert unreadable_by_others(version) == [version / "saved_model.pb", version / "variables"]
    assert stat.S_IMODE((version / "variables").stat().st_mode) == 0o700


@pytest.mark.tensorflow
@pytest.mark.xdist_group("trainer-predict")
def test_functions_requiring_xla_are_found(tmp_path: Path) -> None:
    import tensorflow as tf

    class Doubler(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)], jit_compile=True)
        def serve(self, x: tf.Tensor) -> dict[str, tf.Tensor]:
            return {"y": x * 2.0}

    module = Doubler()
    tf.saved_model.save(module, str(tmp_path), signatures={"serving_default": module.serve})
    found = predict.functions_requiring_xla(tmp_path)
    assert len(found) == 1
    assert "serve" in found[0]
