"""Exit codes and the exceptions that map to them.

One table, used by ``--help``'s epilog, the README and :func:`trainer.cli.main`, so the documented codes are
the ones returned. Katib treats any non-zero exit as a failed trial (no metrics are taken from it), so the
codes are for people and scripts reading the logs, not for Katib.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130  # SIGINT / Ctrl-C: 128 + 2
EXIT_TERMINATED = 143  # SIGTERM (Katib's early-stop signal): 128 + 15

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "success: metrics printed, logs and model written"),
    (EXIT_ERROR, "data or runtime error (missing file, bad columns, NaN in inputs, ...): one line on stderr"),
    (EXIT_USAGE, "usage error: one line naming the flag and its valid range"),
    (EXIT_DIVERGED, "training diverged: NaN or infinite loss, stopped at the batch it appeared"),
    (EXIT_INTERRUPTED, "SIGINT (Ctrl-C)"),
    (EXIT_TERMINATED, "SIGTERM (Katib's early stop): lines already printed and logs written so far are kept"),
)

EXIT_CODES_HELP = "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES)


class UsageError(ValueError):
    """An invalid command line; the message is one line naming the flag. Exit 2."""


class TrainerError(RuntimeError):
    """A runtime failure to report in one line (exit 1), e.g. an existing model version directory."""


class DivergedError(RuntimeError):
    """The loss became NaN or infinite. Exit 3."""
