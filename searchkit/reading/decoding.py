"""File bytes to text: the encodings seen in real archives, and the files that are not text at all."""

from __future__ import annotations

from searchkit.errors import UnreadableFile

SNIFF_BYTES = 8192
EMPTY = "empty file"


def blank(data: bytes) -> bool:
    """Whether `data` is nothing but ASCII whitespace: bytes that `decode` refuses as an empty file, told
    without decoding them (it refuses more: a BOM alone, other blank characters)."""
    return not data.strip()


def decode(data: bytes) -> tuple[str, list[str]]:
    """Decode file bytes to text with `\\n` line ends: `(text, warnings)`.

    UTF-8 (with or without BOM) or UTF-16 with a BOM; otherwise cp1252, then latin-1, with a warning.
    Raises `UnreadableFile` for binary data (NUL bytes near the start).
    """
    warnings: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableFile("binary file (invalid UTF-16)") from None
    elif b"\x00" in data[:SNIFF_BYTES]:
        raise UnreadableFile("binary file (contains NUL bytes)")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            encoding = "cp1252"
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                encoding = "latin-1"
                text = data.decode(encoding)
            warnings.append(f"not UTF-8; decoded as {encoding}")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableFile(EMPTY)
    return text, warnings
