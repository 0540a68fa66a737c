"""The trial program every Katib trial runs: ``python -m trainer --flag=value ...``.

It trains an LSTM/GRU/dense forecaster of remaining useful life (cycles or days until a machine needs
maintenance) from windows of multivariate sensor series, prints one Katib-readable metric line per
epoch, and writes TensorBoard logs (with HParams) and a TF Serving SavedModel.
"""

__version__ = "0.1.0"
