"""The paired comparison runs both versions on the same file and reports each pair's difference."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.paired import THIS_SRC, run_pairs
from benchmarks.pipeline import make_file


def test_a_version_paired_with_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each pair loads the file once per version, from the src folder it was given (named in the
    output), and the warehouses are removed after each pair."""
    data = tmp_path / "declarations.csv"
    make_file(300, data)
    differences = run_pairs(THIS_SRC, data, 2, tmp_path)
    out = capsys.readouterr().out
    assert len(differences) == 2
    assert all(abs(d) < 60 for d in differences)  # CPU seconds of two small loads, not garbage
    assert out.count(f"({THIS_SRC / 'sanctrace'})") == 4  # both processes of both pairs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["declarations.csv"]
