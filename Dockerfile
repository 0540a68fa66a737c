# The trainer image: `python -m trainer --flag=value ...`, as every Katib trial runs it.
#
# Base: the official TensorFlow GPU image of the version pyproject pins (tensorflow==2.21.*); it brings CUDA,
# cuDNN, TensorFlow, Keras and TensorBoard. This image adds only this project's trainer package and pandas.
# A test (tests/trainer/test_dockerfile.py) keeps the tag equal to the TensorFlow the tests run, runs hadolint,
# and checks that the final stage can run `python -m trainer`.
ARG BASE_IMAGE=tensorflow/tensorflow:2.21.0-gpu
# checkov:skip=CKV_DOCKER_7:the base tag is pinned in BASE_IMAGE above (2.21.0-gpu); checkov cannot resolve ARG
# checkov:skip=CKV_DOCKER_2:a batch trial image has no service to probe; Kubernetes Jobs do not run HEALTHCHECK

# --- build: a wheel of this project. The build backend lives in pip's throw-away build environment and
# this stage is discarded, so no build tool or source tree reaches the final image.
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY trainer ./trainer
RUN python3 -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# --- final
FROM ${BASE_IMAGE}
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Install the wheel with the trainer extra, constrained to the base image's TensorFlow stack, so pip can
# never download another TensorFlow (the build fails instead). PIP_BREAK_SYSTEM_PACKAGES only matters if
# a future base marks its Python as externally managed; the image is single-purpose.
COPY --from=build /wheels /tmp/wheels
RUN python3 -m pip freeze | grep -iE '^(tensorflow|tensorboard|keras|numpy|protobuf)==' > /tmp/base.txt \
    && PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir --constraint /tmp/base.txt \
        "$(ls /tmp/wheels/*.whl)[trainer]" \
    && rm -rf /tmp/wheels /tmp/base.txt \
    && { command -v python >/dev/null || ln -s "$(command -v python3)" /usr/local/bin/python; } \
    && useradd --uid 1000 --create-home --shell /usr/sbin/nologin trainer \
    && mkdir -p /mnt/shared && chown trainer /mnt/shared

# Metric lines must reach Katib's collector as they are printed; the trainer flushes them, this makes sure.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TF_CPP_MIN_LOG_LEVEL=2
# The package is installed in site-packages, so `python -m trainer` works from any directory; /workspace is
# a writable working directory for the non-root user (the shared volume is mounted at /mnt/shared).
WORKDIR /workspace
USER 1000:1000
ENTRYPOINT []
CMD ["python", "-m", "trainer", "--help"]
