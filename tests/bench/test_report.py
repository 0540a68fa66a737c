from pathlib import Path

import pytest

from bench.report import write_section


def test_write_section_appends_then_replaces_only_its_own_block(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    write_section("alpha", "## Alpha\n\n1 op/s\n", path)
    write_section("beta", "## Beta\n\n2 op/s\n", path)
    write_section("alpha", "## Alpha\n\n3 op/s\n", path)
    text = path.read_text()
    assert text.startswith("# Benchmarks")
    assert "1 op/s" not in text
    assert text.index("3 op/s") < text.index("2 op/s"), "a rewritten section keeps its place"
    assert text.count("<!-- bench:alpha:start -->") == 1


def test_write_section_rejects_names_that_would_break_the_markers(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lowercase"):
        write_section("Bad Name", "x\n", tmp_path / "b.md")
