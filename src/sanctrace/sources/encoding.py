"""Get a delimited text file into a shape DuckDB reads fast: UTF-8, plus where its blank lines are.

Vendor exports come as UTF-8, UTF-8 with a BOM or cp1251. Strict UTF-8 is tried first because a
cp1251 decode never fails and would turn real UTF-8 into mojibake; cp1251 is the fallback. A
cp1251 file is transcoded once to a UTF-8 temporary file so the reading itself stays in DuckDB.

DuckDB skips blank lines but still counts them, so the loaders need their positions to give each
accepted row the line it came from (see ``staging``); the same pass over the bytes finds them.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sanctrace.errors import UserError

HEAD_BYTES = 4096
_CHUNK = 1 << 24
_LF = 10
_BOM = codecs.BOM_UTF8
_BLANK_PATTERNS = (b"\n\n", b"\n\r\n")


@dataclass(frozen=True)
class PreparedText:
    """A UTF-8 file to hand to DuckDB (the original when it already is UTF-8)."""

    path: Path
    encoding: str  # utf-8 | utf-8-sig | cp1251
    # 1-based physical line numbers of empty lines; None: not searched, ``lines`` is known instead
    blank_lines: tuple[int, ...] | None
    verified: bool = True  # False: taken for UTF-8 from its head; the reader must reject bad bytes
    lines: int | None = None  # physical lines of ``path``, when a byte scan or the transcoding counted them

    def blank_lines_for(self, accounted: int) -> tuple[int, ...]:
        """The empty lines, given how many lines the reader accounted for (header, rows, rejected).

        When that is every line of the file, none was empty (an empty line, like a record spanning
        two lines, is a line no row or reject accounts for), and the search, a pass over every byte
        of a large file, is skipped.
        """
        if self.blank_lines is not None:
            return self.blank_lines
        if self.lines is not None and accounted == self.lines:
            return ()
        return blank_lines(self.path)


@dataclass(frozen=True)
class ByteScan:
    """What one read of a file's bytes tells: its SHA-256, its physical lines, bare-CR line ends."""

    sha256: str
    lines: int
    lone_cr: bool


def scan_bytes(path: Path) -> ByteScan:
    """Hash, count lines and look for bare CRs in one read (three passes cost 13 s on a 4.5 GB file).

    The hash runs in a second thread (hashlib releases the GIL), overlapping the counting. Blocks are
    read into two buffers in turn, not into a new bytes object each (4.5 GB of allocations), and lines
    are counted with numpy (``bytes.count`` took 2.4 s of a 4.5 GB file's 6.4 s scan).
    """
    digest = hashlib.sha256()
    lines = 0
    lone_cr = False
    carry = b""
    buffers = (bytearray(_CHUNK), bytearray(_CHUNK))
    with ThreadPoolExecutor(max_workers=1) as hasher, path.open("rb", buffering=0) as handle:
        pending: Future[None] | None = None
        for turn in itertools.count():
            block = buffers[turn % 2]  # its last hash, two turns ago, was waited for last turn
            size = handle.readinto(block)
            if not size:
                break
            view = memoryview(block)[:size]
            if pending is not None:
                pending.result()  # in order
            pending = hasher.submit(digest.update, view)
            lines += int(np.count_nonzero(np.frombuffer(view, dtype=np.uint8) == _LF))
            if not lone_cr:
                lone_cr = _lone_cr_in(carry + block[: min(2, size)]) or _lone_cr_in(block, size)
            carry = bytes(block[size - 1 : size])
        if pending is not None:
            pending.result()
    if carry == b"\r":
        lone_cr = True
    if carry and carry != b"\n":
        lines += 1  # a last line without a line end
    return ByteScan(digest.hexdigest(), lines, lone_cr)


def _lone_cr_in(data: bytes | bytearray, size: int | None = None) -> bool:
    """A CR not followed by LF in the first ``size`` bytes of ``data`` (all by default), before the
    last of them (which the next block's test sees).

    A memchr-speed test first: most files have no CR, or only CRLF line ends. No slice is taken: a
    slice of a block is a copy.
    """
    end = (len(data) if size is None else size) - 1
    return data.find(b"\r", 0, end) != -1 and data.count(b"\r", 0, end) != data.count(b"\r\n", 0, end + 1)


def looks_binary(data: bytes) -> bool:
    """NUL bytes never occur in the text encodings we accept; a zip (xlsx) or image has them."""
    return b"\x00" in data


def decode_head(data: bytes) -> str:
    """Decode the first bytes of a file for sniffing, tolerating a multi-byte character cut at the end."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return codecs.getincrementaldecoder("utf-8")("strict").decode(data, final=False)
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def read_head(path: Path, size: int = HEAD_BYTES) -> str:
    """The first ``size`` bytes as text ('' for binary files, so no text sniffer claims them)."""
    with path.open("rb") as handle:
        data = handle.read(size)
    return "" if looks_binary(data) else decode_head(data)


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with path.open("rb") as handle:
        try:
            for block in iter(lambda: handle.read(_CHUNK), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _head_is_utf8(head: bytes) -> bool:
    """The first bytes decode as UTF-8 (a character cut at the end is allowed)."""
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def blank_lines(path: Path) -> tuple[int, ...]:
    """Physical numbers of empty lines; a plain byte search, so it costs little on big files.

    The file is read as if preceded by a newline, so the line number of an empty line is the count of
    newlines up to and including the one that ends the line before it. Blocks overlap by two bytes
    (a match split across blocks is found in the overlap; a set drops the ones found twice). Most
    files have no empty line: newlines are only counted once one is found (a second read).
    """
    if not _has_blank_line(path):
        return ()
    found: set[int] = set()
    tail = b"\n"
    newlines_before_data = 0  # newlines of the virtual stream before ``data`` starts
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            data = tail + block
            for pattern in _BLANK_PATTERNS:
                pos = data.find(pattern)
                while pos != -1:
                    found.add(newlines_before_data + data.count(b"\n", 0, pos + 1))
                    pos = data.find(pattern, pos + 1)
            tail = data[-2:]
            newlines_before_data += data.count(b"\n") - tail.count(b"\n")
    return tuple(sorted(found))


def _has_blank_line(path: Path) -> bool:
    """True when some line is empty (the cheap first read of ``blank_lines``)."""
    tail = b"\n"
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            data = tail + block
            if b"\n\n" in data or (b"\r" in data and b"\n\r\n" in data):  # no CR: skip a search
                return True
            tail = data[-2:]
    return False


def has_lone_cr(path: Path) -> bool:
    """True when some line ends with a bare CR (old Mac style), which DuckDB's reader rejects."""
    carry = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            if _lone_cr_in(carry + block[:2]) or _lone_cr_in(block):
                return True
            carry = block[-1:]
    return carry == b"\r"


def mostly_utf8(path: Path) -> bool:
    """UTF-8 with a few stray bytes (a latin-1 é pasted into a UTF-8 export) rather than cp1251.

    cp1251 text has no valid multi-byte UTF-8 sequences at all, so a file whose non-ASCII bytes are
    overwhelmingly valid UTF-8 is UTF-8 with damage, and decoding it as cp1251 would garble it all.
    """
    with path.open("rb") as handle:  # a sample: a cp1251 export can be gigabytes
        data = handle.read(_CHUNK)
    replaced = data.decode("utf-8", errors="replace").count("\ufffd")
    non_ascii = sum(1 for byte in data if byte >= 0x80)
    return non_ascii > 0 and replaced * 20 < non_ascii


@contextmanager
def utf8_text(
    path: Path, *, trust_head: bool = False, scan: ByteScan | None = None
) -> Iterator[PreparedText]:
    """Yield the file as UTF-8 with LF or CRLF line ends, rewriting it to a temporary file if needed.

    cp1251 is transcoded; UTF-8 with a few invalid bytes keeps UTF-8 and replaces those bytes by
    U+FFFD (the encoding recorded says so); bare-CR line ends become LF.

    With ``trust_head``, a file whose first bytes are UTF-8 is used as it is without decoding the
    rest in Python (seconds on a large file): the caller checks that DuckDB's reader rejected no
    line for its encoding and otherwise asks again without ``trust_head``.

    With ``scan`` (``scan_bytes`` of ``path``), the file is not read again for bare CRs, and a file
    used in place leaves its blank lines unsearched (``PreparedText.blank_lines_for``).
    """
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UserError(f"{path}: the file is empty")
    if looks_binary(head):
        raise UserError(f"{path}: not a text file (binary content); expected CSV or .xlsx")
    lone_cr = has_lone_cr(path) if scan is None else scan.lone_cr

    def in_place(verified: bool) -> PreparedText:
        encoding = "utf-8-sig" if head.startswith(_BOM) else "utf-8"
        if scan is None:
            return PreparedText(path, encoding, blank_lines(path), verified)
        return PreparedText(path, encoding, None, verified, lines=scan.lines)

    if trust_head and not lone_cr and _head_is_utf8(head):
        yield in_place(verified=False)
        return
    if _is_utf8(path):
        encoding, codec = ("utf-8-sig" if head.startswith(_BOM) else "utf-8"), "utf-8"
        if not lone_cr:
            yield in_place(verified=True)
            return
    elif mostly_utf8(path):
        encoding, codec = "utf-8 (invalid bytes replaced by U+FFFD)", "utf-8"
    else:
        encoding, codec = "cp1251", "cp1251"
    with tempfile.TemporaryDirectory(prefix="sanctrace-") as folder:
        target = Path(folder) / (path.stem + ".utf8.csv")
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        newlines, last = 0, ""
        with path.open("rb") as source, target.open("wb") as sink:
            for block in iter(lambda: source.read(_CHUNK), b""):
                text = decoder.decode(block)
                if lone_cr:
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                sink.write(text.encode("utf-8"))
                newlines, last = newlines + text.count("\n"), text[-1:] or last
            tail = decoder.decode(b"", final=True)
            sink.write(tail.encode("utf-8"))
            newlines, last = newlines + tail.count("\n"), tail[-1:] or last
        lines = newlines + (1 if last not in ("", "\n") else 0)  # as scan_bytes counts them
        yield PreparedText(target, encoding, blank_lines(target), lines=lines)
