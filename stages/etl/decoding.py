"""bytes -> str for text formats: BOM, the user's ``encoding:``, UTF-8, a document's own charset
declaration, then charset-normalizer's detection.

Real files are rarely perfect. Two kinds of damage are repaired with a recorded warning instead of
refusing the file, because refusing would make the user garble the rest by forcing a wrong charset:

* a UTF-8 file with a tiny share of invalid bytes (under 0.1 %, and clearly UTF-8 otherwise: valid
  multi-byte sequences outnumber the bad bytes) is decoded with U+FFFD for each bad byte;
* NUL bytes in an otherwise textual web page are dropped (``allow_nul=True``).

A charset the user set with ``encoding:`` is strict: a mismatch is an error that names the byte.
"""

from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass

from stages.etl.errors import ExtractionError

log = logging.getLogger(__name__)

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_MAGIC = ((b"PK\x03\x04", "a ZIP/Office archive"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"GIF8", "a GIF image"), (b"\x1f\x8b", "gzip-compressed"))
MAX_BAD_UTF8_SHARE = 0.001
MAX_NUL_SHARE = 0.01
_UTF8_NAMES = {"utf-8", "utf8", "utf_8"}


@dataclass(frozen=True)
class Decoded:
    text: str
    warnings: tuple[str, ...] = ()


def looks_binary(data: bytes, *, allow_nul: bool = False) -> str | None:
    """Why ``data`` is not text (``None`` if it may be). Checks magic numbers and NUL/control bytes.

    With ``allow_nul``, a few stray NUL bytes (under 1 %) do not make the file binary."""
    head = data[:65536]
    if head.startswith(b"%PDF-"):
        return "is a PDF (give it a .pdf extension)"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return f"is {kind}, not text"
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None
    nuls = head.count(b"\x00")
    if nuls and not (allow_nul and data.count(b"\x00") <= MAX_NUL_SHARE * len(data)):
        return "contains NUL bytes: it is binary, not text"
    controls = sum(1 for b in head if b < 32 and b not in (0, 9, 10, 12, 13))
    if head and controls / len(head) > 0.05:
        return "is mostly control bytes: it is binary, not text"
    return None


def decode(data: bytes, *, encoding: str | None = None, declared: str | None = None,
           allow_nul: bool = False) -> Decoded:
    """Decode ``data``. ``encoding`` is the user's (strict); ``declared`` is what the document says
    about itself (a hint: tried after UTF-8, since pages often declare a charset they do not use).
    Raises :class:`ExtractionError` with what to do."""
    reason = looks_binary(data, allow_nul=allow_nul)
    if reason:
        raise ExtractionError(reason)
    warnings: list[str] = []
    nuls = data.count(b"\x00") if allow_nul else 0
    if nuls:
        warnings.append(f"dropped {nuls} NUL byte(s) from an otherwise textual page")
        data = data.replace(b"\x00", b"")
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(bom_encoding), tuple(warnings))
    if encoding:
        return Decoded(_decode_strict(data, encoding), tuple(warnings))
    try:
        return Decoded(data.decode("utf-8"), tuple(warnings))
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    repaired = _mostly_utf8(data)
    if repaired is not None:
        text, bad = repaired
        warnings.append(f"{bad} invalid UTF-8 byte(s) replaced with U+FFFD (first at byte {first_bad})")
        return Decoded(text, tuple(warnings))
    if declared and declared.strip().lower() not in _UTF8_NAMES:
        try:
            return Decoded(data.decode(declared), tuple(warnings))
        except (LookupError, UnicodeDecodeError):
            pass  # the declaration is wrong: detect instead
    detected = detect_charset(data)
    if detected is None:
        raise ExtractionError(
            f"not UTF-8 (invalid byte at offset {first_bad}) and its charset could not be detected; "
            "convert it to UTF-8 or set `encoding:` on this source in mind.yaml"
        )
    log.info("decoded as %s (detected)", detected)
    return Decoded(data.decode(detected), tuple(warnings))


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Text of ``data`` with ``declared`` as the user's strict charset (see :func:`decode`)."""
    return decode(data, encoding=declared).text


def _decode_strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise ExtractionError(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"not valid {encoding} (byte {exc.start}); fix `encoding:` in the spec") from None


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """(text, bad bytes) when ``data`` is UTF-8 but for a tiny share of invalid bytes, else ``None``."""
    escaped = data.decode("utf-8", errors="surrogateescape")
    bad = sum(1 for ch in escaped if "\udc80" <= ch <= "\udcff")
    multibyte = sum(1 for ch in escaped if ch > "\x7f") - bad
    if bad > MAX_BAD_UTF8_SHARE * len(data) or multibyte <= bad:
        return None
    return data.decode("utf-8", errors="replace"), bad


# Among equally plausible single-byte charsets, Western ones are far more common in our sources.
_PREFERRED_CHARSETS = ("cp1252", "latin_1", "iso8859_15", "mac_roman")


def detect_charset(data: bytes) -> str | None:
    """charset-normalizer's guess, preferring common Western charsets on ties; ``None`` if unsure."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:1_000_000]))
    if not matches:
        return None
    best = min(m.chaos for m in matches)
    if best > 0.2:
        return None
    plausible = [m.encoding for m in matches if m.chaos <= best + 0.01]
    for candidate_name in _PREFERRED_CHARSETS:
        if candidate_name in plausible:
            candidate = candidate_name
            break
    else:
        candidate = plausible[0]
    try:
        data.decode(candidate)
    except UnicodeDecodeError:
        return None
    return candidate
