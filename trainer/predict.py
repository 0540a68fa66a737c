"""Answer a TensorFlow Serving REST predict request from an exported SavedModel, without TF Serving.

``python -m trainer.predict --model-dir DIR [--request FILE|-]`` loads the SavedModel the way TF Serving does
(tag ``serve``, the ``serving_default`` signature unless the request names another), reads a request body of
TF Serving's REST API (``POST /v1/models/<name>:predict``) and prints the response body TF Serving would send:

- row format: ``{"instances": [w1, w2, ...]}`` -> ``{"predictions": [p1, p2, ...]}``. With one signature input
  an instance is the input's value (one window: ``window`` rows of ``n_features`` raw readings) or
  ``{"<input>": value}``; with several inputs every instance is an object naming each input.
- columnar format: ``{"inputs": batch}`` or ``{"inputs": {"<input>": batch}}`` -> ``{"outputs": ...}``.
- ``"signature_name"`` in the body selects another signature, as in TF Serving.

Which model directory: ``DIR`` may be a version directory (it holds ``saved_model.pb``) or a model base
directory; then, like TF Serving's default version policy, the numeric subdirectory with the highest number
that holds a ``saved_model.pb`` is used (``.tmp-*`` and other non-numeric names are ignored).

The signature TF Serving calls is read from ``saved_model.pb`` itself (its ``signature_def`` map, the
same proto TF Serving reads); ``--show-signature`` prints it. Inputs are converted to the signature's dtype
and checked against its shape before the call, so a malformed request fails with one line naming the input.

Exit status: 0 success; 1 the model or the request is unusable (one line ``predict: error: ...`` on stderr;
``--debug`` adds the traceback); 2 the command line is wrong (argparse's usage message).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2

SERVING_TAG = "serve"
DEFAULT_SIGNATURE = "serving_default"
PREDICT_METHOD = "tensorflow/serving/predict"


class ServingError(Exception):
    """The model or the request cannot be served; the message is one line for the user."""


@dataclass(frozen=True)
class TensorSpecInfo:
    """One input or output of a signature, as TF Serving sees it (``TensorInfo`` in ``saved_model.pb``).

    Attributes:
        key: the name clients use in requests and responses (the signature map key, not the graph tensor).
        dtype: NumPy/TensorFlow dtype name, e.g. ``float32``.
        shape: one entry per dimension, ``None`` for a dimension of any size; ``None`` for unknown rank.
    """

    key: str
    dtype: str
    shape: tuple[int | None, ...] | None

    def describe_shape(self) -> str:
        if self.shape is None:
            return "any shape"
        return (
            "["
            + ", ".join(
                "batch" if i == 0 and d is None else str(d) if d is not None else "any"
                for i, d in enumerate(self.shape)
            )
            + "]"
        )


@dataclass(frozen=True)
class SignatureInfo:
    """A ``SignatureDef`` of the ``serve`` meta graph."""

    name: str
    method_name: str
    inputs: dict[str, TensorSpecInfo] = field(default_factory=dict)
    outputs: dict[str, TensorSpecInfo] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        def specs(items: dict[str, TensorSpecInfo]) -> dict[str, Any]:
            return {
                k: {"dtype": v.dtype, "shape": None if v.shape is None else list(v.shape)}
                for k, v in items.items()
            }

        return {
            "signature_name": self.name,
            "method_name": self.method_name,
            "inputs": specs(self.inputs),
            "outputs": specs(self.outputs),
        }


def resolve_version_dir(model_dir: str | Path) -> Path:
    """The SavedModel directory TF Serving would load for ``model_dir`` (see the module docstring).

    Raises:
        ServingError: ``model_dir`` is missing, or holds neither ``saved_model.pb`` nor a numeric version
            directory with one.
    """
    root = Path(model_dir)
    if not root.is_dir():
        raise ServingError(f"--model-dir {root}: no such directory")
    if (root / "saved_model.pb").is_file():
        return root
    versions = [
        child
        for child in root.iterdir()
        if child.name.isdigit() and child.is_dir() and (child / "saved_model.pb").is_file()
    ]
    if not versions:
        raise ServingError(
            f"--model-dir {root}: no saved_model.pb, and no numeric version directory holding one "
            "(TF Serving's layout is <model-dir>/<version>/saved_model.pb)"
        )
    return max(versions, key=lambda p: int(p.name))


def unreadable_by_others(version_dir: str | Path) -> list[Path]:
    """Paths under ``version_dir`` (itself included) that a different non-root user cannot read.

    TF Serving in the chart runs as its own non-root user, so a model directory written by the trainer's
    user must be world-readable (directories also world-searchable) or TF Serving cannot load it.
    """
    root = Path(version_dir)
    problems: list[Path] = []
    for path in [root, *sorted(root.rglob("*"))]:
        mode = path.stat().st_mode
        needed = (stat.S_IROTH | stat.S_IXOTH) if path.is_dir() else stat.S_IROTH
        if mode & needed != needed:
            problems.append(path)
    return problems


def functions_requiring_xla(version_dir: str | Path) -> list[str]:
    """Graph functions in ``saved_model.pb`` marked ``_XlaMustCompile`` (e.g. from ``jit_compile=True``).

    TF Serving disables XLA:CPU JIT compilation by default (``--xla_cpu_compilation_enabled``), so such a
    model loads but fails its first request on CPU.
    """
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString((Path(version_dir) / "saved_model.pb").read_bytes())
    return sorted(
        {
            function.signature.name
            for graph in proto.meta_graphs
            for function in graph.graph_def.library.function
            if "_XlaMustCompile" in function.attr and function.attr["_XlaMustCompile"].b
        }
    )


def read_signatures(version_dir: str | Path) -> dict[str, SignatureInfo]:
    """Every signature of the ``serve`` meta graph in ``version_dir/saved_model.pb``.

    Raises:
        ServingError: the file does not parse, or no meta graph carries the ``serve`` tag.
    """
    import tensorflow as tf
    from tensorflow.core.protobuf import saved_model_pb2

    path = Path(version_dir) / "saved_model.pb"
    proto = saved_model_pb2.SavedModel()
    try:
        proto.ParseFromString(path.read_bytes())
    except Exception as err:  # DecodeError or OSError: either way the model is unusable
        raise ServingError(f"{path}: not a SavedModel ({err})") from err
    graphs = [g for g in proto.meta_graphs if SERVING_TAG in g.meta_info_def.tags]
    if not graphs:
        raise ServingError(f"{path}: no meta graph tagged {SERVING_TAG!r}, which TF Serving loads")

    def spec(key: str, info: Any) -> TensorSpecInfo:
        shape: tuple[int | None, ...] | None = None
        if not info.tensor_shape.unknown_rank:
            shape = tuple(None if d.size < 0 else int(d.size) for d in info.tensor_shape.dim)
        # DT_INVALID (0) marks an op rather than a tensor, e.g. the __saved_model_init_op signature's output.
        dtype = tf.dtypes.as_dtype(info.dtype).name if info.dtype else "invalid"
        return TensorSpecInfo(key=key, dtype=dtype, shape=shape)

    return {
        name: SignatureInfo(
            name=name,
            method_name=sig.method_name,
            inputs={k: spec(k, v) for k, v in sorted(sig.inputs.items())},
            outputs={k: spec(k, v) for k, v in sorted(sig.outputs.items())},
        )
        for name, sig in graphs[0].signature_def.items()
    }


def _as_array(value: Any, spec: TensorSpecInfo, what: str) -> np.ndarray:
    """``value`` as an array of ``spec``'s dtype and shape (batch dimension included)."""
    try:
        array = np.asarray(value, dtype=np.dtype(spec.dtype))
    except (ValueError, TypeError) as err:
        detail = "ragged (instances of different shapes)" if "inhomogeneous" in str(err) else str(err)
        raise ServingError(f"{what}: cannot read as {spec.dtype}: {' '.join(detail.split())}") from err
    if spec.shape is not None:
        expected = spec.shape
        if array.ndim != len(expected) or any(
            e is not None and e != a for e, a in zip(expected, array.shape, strict=True)
        ):
            raise ServingError(f"{what}: expected shape {spec.describe_shape()}, got {list(array.shape)}")
    return array


def _json_values(array: np.ndarray) -> Any:
    """Nested lists of ``array`` for JSON; float32 values keep their shortest float32 form, not float64's."""
    if array.dtype == np.float32 or array.dtype == np.float16:
        flat = [float(str(v)) for v in array.ravel()]
        return np.array(flat, dtype=object).reshape(array.shape).tolist()
    return array.tolist()


def parse_request(body: Any, signature: SignatureInfo) -> tuple[dict[str, np.ndarray], bool]:
    """Inputs of a REST request body for ``signature`` and whether it was row format (``instances``).

    Raises:
        ServingError: the body breaks TF Serving's request format or the signature's dtypes and shapes.
    """
    if not isinstance(body, dict):
        raise ServingError("request body must be a JSON object with 'instances' or 'inputs'")
    unknown = sorted(set(body) - {"instances", "inputs", "signature_name"})
    if unknown:
        raise ServingError(f"request body: unknown key(s) {', '.join(map(repr, unknown))}")
    if ("instances" in body) == ("inputs" in body):
        raise ServingError(
            "request body must have exactly one of 'instances' (row format) or 'inputs' (columnar)"
        )
    names = list(signature.inputs)
    if "instances" in body:
        instances = body["instances"]
        if not isinstance(instances, list) or not instances:
            raise ServingError("'instances' must be a non-empty list, one element per example")
        named = all(isinstance(i, dict) for i in instances)
        if len(names) > 1 and not named:
            raise ServingError(
                f"the signature has several inputs ({', '.join(names)}): each instance must "
                "be an object naming each input"
            )
        if named:
            for n, instance in enumerate(instances):
                if set(instance) != set(names):
                    raise ServingError(
                        f"instances[{n}] has keys {sorted(instance)}, the signature's inputs are {names}"
                    )
            columns = {k: [instance[k] for instance in instances] for k in names}
        elif any(isinstance(i, dict) for i in instances):
            raise ServingError("'instances' mixes objects and plain values")
        else:
            columns = {names[0]: instances}
        return {
            k: _as_array(v, signature.inputs[k], f"instances: input {k!r}") for k, v in columns.items()
        }, True
    inputs = body["inputs"]
    if isinstance(inputs, dict):
        if set(inputs) != set(names):
            raise ServingError(f"'inputs' has keys {sorted(inputs)}, the signature's inputs are {names}")
        columns = dict(inputs)
    elif len(names) == 1:
        columns = {names[0]: inputs}
    else:
        raise ServingError(f"the signature has several inputs ({', '.join(names)}): 'inputs' must name each")
    return {k: _as_array(v, signature.inputs[k], f"inputs: input {k!r}") for k, v in columns.items()}, False


def format_response(outputs: Mapping[str, np.ndarray], row_format: bool) -> dict[str, Any]:
    """The response body TF Serving sends for ``outputs`` (see the module docstring)."""
    if not row_format:
        if len(outputs) == 1:
            return {"outputs": _json_values(next(iter(outputs.values())))}
        return {"outputs": {k: _json_values(v) for k, v in outputs.items()}}
    if len(outputs) == 1:
        return {"predictions": _json_values(next(iter(outputs.values())))}
    columns = {k: _json_values(v) for k, v in outputs.items()}
    batch = len(next(iter(columns.values())))
    return {"predictions": [{k: columns[k][i] for k in columns} for i in range(batch)]}


class Predictor:
    """A loaded SavedModel answering requests through its signatures, as TF Serving would.

    Args:
        model_dir: a version directory or a model base directory (highest numeric version wins).
        signature_name: the signature used when a request names none.

    Raises:
        ServingError: no model there, or it lacks the default signature.
    """

    def __init__(self, model_dir: str | Path, signature_name: str = DEFAULT_SIGNATURE) -> None:
        import tensorflow as tf

        self.path = resolve_version_dir(model_dir)
        self.signatures = read_signatures(self.path)
        self.default_signature = signature_name
        self.signature(signature_name)  # fail early, before loading the graph
        try:
            self._loaded = tf.saved_model.load(str(self.path), tags=[SERVING_TAG])
        except Exception as err:
            raise ServingError(
                f"{self.path}: cannot load the SavedModel: {' '.join(str(err).split())}"
            ) from err

    def signature(self, name: str) -> SignatureInfo:
        """The named signature; :class:`ServingError` listing the available ones when it is missing."""
        if name not in self.signatures:
            available = ", ".join(sorted(self.signatures)) or "none"
            raise ServingError(f"{self.path}: no signature {name!r} (available: {available})")
        return self.signatures[name]

    def run(
        self, inputs: Mapping[str, np.ndarray], signature_name: str | None = None
    ) -> dict[str, np.ndarray]:
        """Call the signature's function with ``inputs`` (checked arrays) and return its outputs as arrays."""
        import tensorflow as tf

        function = self._loaded.signatures[signature_name or self.default_signature]
        try:
            result = function(**{k: tf.constant(v) for k, v in inputs.items()})
        except (tf.errors.InvalidArgumentError, ValueError, TypeError) as err:
            raise ServingError(f"the model rejected the request: {' '.join(str(err).split())}") from err
        return {k: np.asarray(v) for k, v in sorted(result.items())}

    def predict(self, body: Any) -> dict[str, Any]:
        """Answer one REST request body with the response body."""
        name = body.get("signature_name", self.default_signature) if isinstance(body, dict) else None
        if name is not None and not isinstance(name, str):
            raise ServingError("'signature_name' must be a string")
        signature = self.signature(name or self.default_signature)
        inputs, row_format = parse_request(body, signature)
        return format_response(self.run(inputs, signature.name), row_format)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m trainer.predict",
        description="Answer a TensorFlow Serving REST predict request body from an exported SavedModel, the "
        "way TF Serving would: check a model before deploying it.",
        epilog="Exit status: 0 success, 1 unusable model or request, 2 wrong command line.",
    )
    parser.add_argument(
        "--model-dir",
        required=True,
        help="version directory (holding saved_model.pb) or model base directory (the highest "
        "numeric version is used, like TF Serving)",
    )
    parser.add_argument(
        "--request", default="-", help="file with the JSON request body, or - for stdin (default: -)"
    )
    parser.add_argument(
        "--signature-name",
        default=DEFAULT_SIGNATURE,
        help=f"signature used when the request names none (default: {DEFAULT_SIGNATURE})",
    )
    parser.add_argument(
        "--show-signature",
        action="store_true",
        help="print the signature (inputs and outputs with dtypes and shapes) instead of predicting",
    )
    parser.add_argument("--debug", action="store_true", help="print tracebacks")
    return parser


def _read_body(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text()
    except OSError as err:
        raise ServingError(f"--request {source}: {err.strerror or err}") from err
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ServingError(f"request body is not JSON: {err}") from err


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with its start-up chatter on file descriptor 2 (oneDNN, CUDA probing) discarded.

    TensorFlow 2.21 writes those lines from C++ before its logging is configured, so
    ``TF_CPP_MIN_LOG_LEVEL`` does not silence them; only the import is muted, and an import error is still
    raised to the caller.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with Path(os.devnull).open("wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow as tf

            tf.config.list_physical_devices()  # device probing (cuInit without a GPU) is muted too
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    if not args.debug:
        import_tensorflow_quietly()
    try:
        if args.show_signature:
            path = resolve_version_dir(args.model_dir)
            signatures = read_signatures(path)
            if args.signature_name not in signatures:
                raise ServingError(
                    f"{path}: no signature {args.signature_name!r} "
                    f"(available: {', '.join(sorted(signatures)) or 'none'})"
                )
            print(json.dumps({"model_dir": str(path), **signatures[args.signature_name].to_json()}))
            return EXIT_OK
        predictor = Predictor(args.model_dir, args.signature_name)
        response = predictor.predict(_read_body(args.request))
    except ServingError as err:
        if args.debug:
            traceback.print_exc(file=sys.stderr)
        print(f"predict: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(response))
    # After the answer, so a refused request still ends in one line: the model works here, not in TF Serving.
    xla = functions_requiring_xla(predictor.path)
    if xla:
        print(
            f"predict: warning: {len(xla)} function(s) require XLA compilation (e.g. {xla[0]}); TF Serving "
            "refuses them on CPU unless started with --xla_cpu_compilation_enabled=true",
            file=sys.stderr,
        )
    hidden = unreadable_by_others(predictor.path)
    if hidden:
        print(
            f"predict: warning: {len(hidden)} path(s) not readable by other users, e.g. {hidden[0]} "
            f"(mode {stat.filemode(hidden[0].stat().st_mode)}); TF Serving running as another user "
            f"cannot load this model: chmod -R a+rX {predictor.path}",
            file=sys.stderr,
        )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
