"""Per-epoch checkpoints (``--checkpoint-dir``): what is saved, how it is written, how a run resumes.

- :mod:`._file`: the single ``checkpoint.npz`` (arrays + JSON meta), replaced atomically; no TensorFlow.
- :mod:`._compat`: refuse another model's checkpoint (exit 1); list the settings that changed (PBT).
- :mod:`._state`: model variables (with dropout seed states), optimizer variables (step count and slots),
  early-stopping counters and best weights.
- :mod:`._resume`: :class:`Checkpointing`, the Keras callback a fit uses to restore and save.

Importing this package imports Keras (through :mod:`._resume`); :mod:`._file` alone does not.
"""

from trainer.checkpoint._file import FILE_NAME, clear_temporaries, read
from trainer.checkpoint._resume import Checkpointing

__all__ = ["FILE_NAME", "Checkpointing", "clear_temporaries", "read"]
