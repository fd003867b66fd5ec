"""Records fetched back by line: plain lines, quoted line breaks, escaped quotes, block edges."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctrace.sources import record_lines
from sanctrace.sources.record_lines import records_at

TEXT = b'h1;h2\na;1\n"b\nc";2\nd;"x"""\n\ne;4'


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 24])
def test_records_by_line_at_any_block_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Line 4 is inside the quoted record of line 3, line 6 is blank, line 7 has no line end."""
    monkeypatch.setattr(record_lines, "_CHUNK", chunk)
    path = tmp_path / "f.csv"
    path.write_bytes(TEXT)
    assert records_at(path, [1, 2, 3, 4, 5, 6, 7, 99]) == {
        1: "h1;h2",
        2: "a;1",
        3: '"b\nc";2',
        5: 'd;"x"""',
        6: "",
        7: "e;4",
    }
    assert records_at(path, [7]) == {7: "e;4"}
    assert records_at(path, []) == {}


def test_crlf_line_ends_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"h\r\na\r\nb\r\n")
    assert records_at(path, [2, 3]) == {2: "a", 3: "b"}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="ab;\u00e9", max_size=6), min_size=1, max_size=30),
    st.sets(st.integers(min_value=1, max_value=35)),
    st.sampled_from([1, 3, 8, 1 << 24]),
)
def test_any_lines_at_any_block_size(lines: list[str], wanted: set[int], chunk: int) -> None:
    """Without quotes every line is a record: the result is the file's lines, whatever the blocks."""
    import tempfile

    original = record_lines._CHUNK
    record_lines._CHUNK = chunk
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "f.csv"
            path.write_text("\n".join(lines) + "\n", "utf-8")
            expected = {n: lines[n - 1] for n in wanted if n <= len(lines)}
            assert records_at(path, sorted(wanted)) == expected
    finally:
        record_lines._CHUNK = original
