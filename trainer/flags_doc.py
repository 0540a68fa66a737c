"""The README's flags table, generated from the same table as ``--help``.

``python -m trainer.flags_doc`` prints the Markdown; ``python -m trainer.flags_doc --write README.md``
replaces the text between ``<!-- flags:start -->`` and ``<!-- flags:end -->``. A test fails when the README
and ``--help`` disagree, so run the ``--write`` form after changing a flag.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from trainer.config import GROUPS, config_fields, flag_name, shown_default
from trainer.errors import EXIT_CODES

START = "<!-- flags:start -->"
END = "<!-- flags:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    """The Markdown between the markers (without them): one table per flag group, then the exit codes."""
    out: list[str] = [
        "Generated from the parser by `python -m trainer.flags_doc --write README.md`;",
        "a test keeps it equal to `python -m trainer --help`.",
        "Every flag also accepts `--name=value`; booleans accept a bare `--flag`.",
        "",
    ]
    fields = list(config_fields())
    for group in GROUPS:
        out += [f"**{group}**", "", "| flag | default | valid | description |", "|---|---|---|---|"]
        for f in fields:
            if f.metadata["group"] != group:
                continue
            cells = (
                f"`{flag_name(f.name)}`",
                f"`{shown_default(f)}`",
                _cell(f.metadata["check"].describe()),
                _cell(f.metadata["help"]),
            )
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    out += ["**exit codes**", "", "| code | meaning |", "|---|---|"]
    out += [f"| {code} | {_cell(text)} |" for code, text in EXIT_CODES]
    return "\n".join(out) + "\n"


def replace_section(readme: str, body: str) -> str:
    """``readme`` with the text between the markers replaced by ``body``.

    Raises ValueError if a marker is missing.
    """
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README lacks the markers {START} ... {END}")
    return readme[: start + len(START)] + "\n" + body + readme[end:]


def section(readme: str) -> str:
    """The text between the markers, as :func:`replace_section` writes it."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README lacks the markers {START} ... {END}")
    return readme[start + len(START) + 1 : end]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.flags_doc", description=__doc__)
    parser.add_argument("--write", metavar="README", help="replace the flags section of this file in place")
    args = parser.parse_args(argv)
    body = render()
    if args.write:
        path = Path(args.write)
        path.write_text(replace_section(path.read_text(), body))
    else:
        sys.stdout.write(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
