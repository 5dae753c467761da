"""Which text encoding a bundle file is in, and proof that all of it decodes.

Registry exports come as UTF-8 (with or without a byte-order mark) or as GB18030/GBK
(GB18030 is a superset of GBK and GB2312, so one codec reads all three). A file is
checked in full before anything is written: an undecodable byte stops the load with
the file and line, and the graph stays as it was.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from riskgraph.errors import RiskgraphError

# What detection may answer: the encodings Chinese registry exports are written in.
CANDIDATES = ("utf_8", "gb18030", "big5", "utf_16")
_SAMPLE = 1 << 18  # bytes charset-normalizer looks at; the whole file is decoded to check
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class EncodingError(RiskgraphError):
    """A file that does not decode: names the file, line and byte."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def _python_name(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return "gb18030" if name in {"gbk", "gb2312", "gb18030"} else name


def _failure(path: Path, data: bytes, encoding: str) -> EncodingError | None:
    """None when ``data`` decodes in full, else the error naming the line of the bad byte."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.end].hex(" ")
        return EncodingError(
            f"{path}:{line}: cannot be decoded as {encoding} (byte {bad}: {exc.reason}); "
            "nothing was loaded. Fix the file, or name its encoding with --encoding",
            line,
        )
    return None


def detect(path: Path, data: bytes) -> str:
    """The encoding of a file's bytes: a byte-order mark; else UTF-8 or GB18030, whichever
    decodes all of it (charset-normalizer judges a file that both decode, as short files
    of Chinese text can); else charset-normalizer's best guess among the others."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    utf8 = _failure(path, data, "utf-8") is None
    gb = _failure(path, data, "gb18030") is None
    if utf8 and (data.isascii() or not gb):
        return "utf-8"
    if gb and not utf8:
        return "gb18030"
    candidates = ["utf_8", "gb18030"] if utf8 else [c for c in CANDIDATES if c != "utf_8"]
    best = from_bytes(data[:_SAMPLE], cp_isolation=candidates).best()
    found = _python_name(best.encoding) if best is not None else "gb18030"
    return "gb18030" if found == "ascii" else found


def check(path: Path, encoding: str | None = None) -> str:
    """The encoding to read ``path`` with (``encoding`` when given), after decoding all of it.

    Raises ``EncodingError`` naming the first undecodable line. With detection, a file that
    is neither UTF-8 nor the detected encoding is reported at whichever failure comes later
    (the encoding that got further is the likelier one).
    """
    data = path.read_bytes()
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise EncodingError(f"unknown encoding {encoding!r}") from None
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        error = _failure(path, data, name)
        if error is not None:
            raise error
        return name
    found = detect(path, data)
    error = _failure(path, data, found)
    if error is None:
        return found
    utf8 = _failure(path, data, "utf-8")
    raise max((error, utf8), key=lambda e: e.line) if utf8 is not None else error
