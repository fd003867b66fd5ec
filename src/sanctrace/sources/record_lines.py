"""Fetch some records of a large delimited file back by their line number.

The direct write (``declaration_direct``) keeps no raw text: the rows it cannot decide (a value the
rules may read differently, an unknown country) are read again from the file by the line their row
came from, and typed in SQL. One pass over the bytes finds those lines: numpy finds every line end
of a block at once, so a wanted line is an index, whatever the number wanted. A record whose quoted
field spans lines is followed to its end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

_CHUNK = 1 << 24


def records_at(path: Path, lines: list[int], quote: str = '"') -> dict[int, str]:
    """The records starting at the given 1-based physical lines, without their final line end.

    A record goes on past a line end while its quotes are unbalanced (a doubled quote is an escape
    and keeps the count even), so a record spanning lines comes back whole. Lines past the end of
    the file are absent from the result.
    """
    wanted = np.unique(np.asarray(lines, dtype=np.int64))
    found: dict[int, str] = {}
    quote_byte = quote.encode("utf-8")
    first_line = 1  # the line starting at data[0]
    pending = b""
    record: bytearray | None = None  # a record still open at the end of the previous block
    record_line = 0
    with path.open("rb") as handle:
        for block in _blocks(handle):
            data = pending + block
            if record is None:
                count = data.count(b"\n")  # memchr speed; most blocks hold no wanted line
                lo = int(np.searchsorted(wanted, first_line))
                if lo == len(wanted) or wanted[lo] >= first_line + count:
                    pending = data[data.rfind(b"\n") + 1 :]
                    first_line += count
                    continue
            ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
            starts = np.concatenate(([0], ends[:-1] + 1))
            complete = len(ends)  # lines first_line .. first_line + complete - 1 end in this block
            index = 0  # next line of the block to look at
            if record is not None:
                index, closed = _extend(record, data, starts, ends, 0, quote_byte)
                if closed:
                    found[record_line] = _text(record)
                    record = None
            lo, hi = np.searchsorted(wanted, [first_line + index, first_line + complete])
            for target in wanted[lo:hi].tolist():
                i = target - first_line
                if i < index:
                    continue  # inside the record just read: no record starts there
                record, record_line = bytearray(), target
                index, closed = _extend(record, data, starts, ends, i, quote_byte)
                if not closed:
                    break  # open across the block end: it goes on in the next block
                found[record_line] = _text(record)
                record = None
            consumed = int(ends[-1]) + 1 if complete else 0
            pending = data[consumed:]
            first_line += complete
    if record is not None:  # quotes never closed: what there is
        found[record_line] = _text(record)
    return found


def _extend(
    record: bytearray, data: bytes, starts: np.ndarray, ends: np.ndarray, i: int, quote: bytes
) -> tuple[int, bool]:
    """Add lines i, i + 1, ... of ``data`` to ``record`` until its quotes balance.

    Returns the index of the first line not taken and whether the record is complete.
    """
    while i < len(ends):
        record.extend(data[int(starts[i]) : int(ends[i]) + 1])
        i += 1
        if record.count(quote) % 2 == 0:
            return i, True
    return i, False


def _text(record: bytearray) -> str:
    return bytes(record).decode("utf-8", errors="replace").rstrip("\r\n")


def _blocks(handle: BinaryIO) -> Iterator[bytes]:
    """The file's bytes in blocks, with a line end added when the last line has none."""
    last = b"\n"
    for block in iter(lambda: handle.read(_CHUNK), b""):
        last = block[-1:]
        yield block
    if last != b"\n":
        yield b"\n"
