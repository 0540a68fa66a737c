"""Range-checked flag value parsers, shared by the parser, ``--help``, the README table and HParams domains.

Each check is a callable ``str -> value`` that raises :class:`argparse.ArgumentTypeError` with a message
stating the valid range, so argparse reports ``argument --NAME: must be ...`` on one line. ``describe()``
gives the same range as text for ``--help`` and the README. Katib hands values over as text
(``--name=value``), so every check parses from ``str``; a value that is already of the right type (a
dataclass default) is never re-parsed.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _fmt(x: float) -> str:
    """``1e-08`` rather than ``1.0000000000000001e-08``; integers without a trailing ``.0``."""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"


@dataclass(frozen=True)
class IntRange:
    """An integer in ``[lo, hi]`` (both inclusive)."""

    lo: int
    hi: int

    def __call__(self, text: str) -> int:
        try:
            value = int(text.strip(), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be an integer in {self.describe()}, got {text!r}"
            ) from None
        if not self.lo <= value <= self.hi:
            raise argparse.ArgumentTypeError(f"must be an integer in {self.describe()}, got {value}")
        return value

    def describe(self) -> str:
        return f"[{self.lo}, {self.hi}]"


@dataclass(frozen=True)
class FloatRange:
    """A finite float between ``lo`` and ``hi``; each bound is open or closed as flagged.

    NaN and infinities are always rejected, whatever the bounds: no hyperparameter here means anything at
    infinity.
    """

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def __call__(self, text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number in {self.describe()}, got {text!r}") from None
        low_ok = value > self.lo if self.lo_open else value >= self.lo
        high_ok = value < self.hi if self.hi_open else value <= self.hi
        if not (math.isfinite(value) and low_ok and high_ok):
            raise argparse.ArgumentTypeError(f"must be a number in {self.describe()}, got {text.strip()}")
        return value

    def describe(self) -> str:
        left = "(" if self.lo_open or math.isinf(self.lo) else "["
        right = ")" if self.hi_open or math.isinf(self.hi) else "]"
        return f"{left}{_fmt(self.lo)}, {_fmt(self.hi)}{right}"


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of words, matched exactly (Katib passes the categorical value verbatim)."""

    options: tuple[str, ...]

    def __call__(self, text: str) -> str:
        if text not in self.options:
            raise argparse.ArgumentTypeError(f"must be one of {'|'.join(self.options)}, got {text!r}")
        return text

    def describe(self) -> str:
        return "|".join(self.options)


@dataclass(frozen=True)
class Boolean:
    """``true/false`` in the usual spellings; a bare ``--flag`` means true (argparse's ``const``)."""

    def __call__(self, text: str) -> bool:
        word = text.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise argparse.ArgumentTypeError(f"must be true or false, got {text!r}")

    def describe(self) -> str:
        return "true|false (bare flag = true)"


@dataclass(frozen=True)
class Text:
    """Free text; ``allow_empty`` says whether ``--flag=`` is meaningful (usually "off" or "derive it")."""

    what: str = "text"
    allow_empty: bool = True

    def __call__(self, text: str) -> str:
        if not text and not self.allow_empty:
            raise argparse.ArgumentTypeError(f"must be a non-empty {self.what}")
        return text

    def describe(self) -> str:
        return self.what


@dataclass(frozen=True)
class CsvList:
    """A comma-separated list of names (no spaces: Katib joins arguments with spaces); empty means "all"."""

    what: str = "names"

    def __call__(self, text: str) -> tuple[str, ...]:
        items = tuple(item.strip() for item in text.split(",")) if text.strip() else ()
        if any(not item for item in items):
            raise argparse.ArgumentTypeError(
                f"must be comma-separated {self.what} without empty items, got {text!r}"
            )
        return items

    def describe(self) -> str:
        return f"comma-separated {self.what}"


Check = IntRange | FloatRange | Choice | Boolean | Text | CsvList


def choice(*options: str) -> Choice:
    """Shorthand used by the config table."""
    return Choice(tuple(options))


def check_options(check: Check) -> Sequence[str]:
    """The discrete options of a check (for HParams domains), empty when it is not discrete."""
    return check.options if isinstance(check, Choice) else ()
