"""Benchmarks: each script measures side by side in one run and rewrites its section of docs/benchmarks.md."""
