"""The one-read byte scan of a text file, checked against the separate passes it replaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctrace.sources import encoding
from sanctrace.sources.base import file_sha256
from sanctrace.sources.encoding import PreparedText, blank_lines, has_lone_cr, scan_bytes


def _physical_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=40).map(lambda b: bytes(c for c in b if c in b"ab\r\n;") or b"a"), st.integers(1, 5)
)
def test_scan_agrees_with_the_separate_passes(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, chunk: int
) -> None:
    """Whatever the block size (a CR and its LF may fall in two blocks), one read gives the same hash,
    the same bare-CR verdict and the file's physical line count."""
    path = tmp_path_factory.mktemp("scan") / "f.csv"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encoding, "_CHUNK", chunk)
        scanned = scan_bytes(path)
        lone = has_lone_cr(path)
    assert scanned.sha256 == file_sha256(path)
    assert scanned.lone_cr == lone == (b"\r" in data.replace(b"\r\n", b""))
    assert scanned.lines == _physical_lines(data)


@pytest.mark.parametrize(
    ("data", "accounted", "expected"),
    [
        (b"h\na\nb\n", 3, ()),  # every line accounted for: no search
        (b"h\na\n\nb\n", 3, (3,)),  # one line unaccounted: searched, found
        (b'h\n"a\nb"\nc\n', 3, ()),  # a record over two lines: searched, nothing empty
    ],
)
def test_blank_lines_are_searched_only_when_lines_are_missing(
    tmp_path: Path, data: bytes, accounted: int, expected: tuple[int, ...]
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    prepared = PreparedText(path, "utf-8", None, lines=scan_bytes(path).lines)
    assert prepared.blank_lines_for(accounted) == expected == blank_lines(path)


def test_a_file_whose_lines_all_add_up_is_not_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"h\na\nb")  # no line end after the last line
    prepared = PreparedText(path, "utf-8", None, lines=scan_bytes(path).lines)

    def searched(_path: Path) -> tuple[int, ...]:
        raise AssertionError("searched although every line was accounted for")

    monkeypatch.setattr(encoding, "blank_lines", searched)
    assert prepared.blank_lines_for(3) == ()
