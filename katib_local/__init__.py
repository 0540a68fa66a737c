"""Katib's Experiment semantics on one machine, and a thin client for a real cluster.

This package never imports ``trainer`` or TensorFlow: a trial is a black box that prints metrics.
"""

__version__ = "0.1.0"
