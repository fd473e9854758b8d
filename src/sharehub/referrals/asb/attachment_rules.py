"""What may be attached to an ASB report or case (``attachments.toml``), as
plain functions over bytes: recognise a file by its contents, check it is
what its name and the browser say, and remove image metadata (EXIF location,
camera, time) before anything is kept.

Images are cleaned segment by segment, not re-encoded: the pixels kept are the
pixels received, which matters for evidence, and only the metadata goes.
"""

from __future__ import annotations

import io
import struct
import tomllib
import warnings
import zipfile
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import msgspec

RULES_FILE = Path(__file__).with_name("attachments.toml")


class FileType(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    words: str
    content_type: str
    extensions: list[str]
    image: bool = False


class Kind(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    words: str
    types: list[str]
    cctv: bool = False


class Images(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    max_pixels: int
    citation: str


class Cctv(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    keep_days: int
    retention_citation: str
    disclosable_to: list[str]
    disclosure_citation: str


class AttachmentRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: str
    types: dict[str, FileType]
    kinds: dict[str, Kind]
    images: Images
    cctv: Cctv


def load_attachment_rules(path: Path = RULES_FILE) -> AttachmentRules:
    rules = msgspec.convert(tomllib.loads(path.read_text("utf-8")), AttachmentRules)
    for code, kind in rules.kinds.items():
        unknown = set(kind.types) - set(rules.types)
        if unknown:
            raise ValueError(f"{path.name}: kinds.{code}: no such type {sorted(unknown)}")
    if not 1 <= rules.cctv.keep_days <= 366:
        raise ValueError(f"{path.name}: cctv.keep_days must be 1 to 366")
    return rules


@cache
def attachment_rules() -> AttachmentRules:
    return load_attachment_rules()


class NotAccepted(ValueError):
    """The file is refused; the message says why in words a person can act on."""


# --- Recognising a file by its contents ---------------------------------------


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    # A macro-enabled document carries vbaProject.bin: not accepted.
    return (
        "[Content_Types].xml" in names
        and "word/document.xml" in names
        and not any(n.lower().endswith("vbaproject.bin") for n in names)
    )


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def recognise(data: bytes) -> str | None:
    """The type code the contents are, or None for anything not on the list."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _MP4_BRANDS:
        return "mp4"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(data) else None
    if data and _is_text(data):
        return "text"
    return None


_MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VP",
    b"dash",
    b"iso5",
    b"iso6",
}


def check(
    rules: AttachmentRules,
    data: bytes,
    *,
    filename: str,
    claimed_type: str | None,
    kind: str,
    max_bytes: int,
) -> str:
    """The file's type code, or NotAccepted saying why not."""
    if not data:
        raise NotAccepted("the selected file is empty")
    if len(data) > max_bytes:
        raise NotAccepted(f"the file must be smaller than {_megabytes(max_bytes)}")
    found = recognise(data)
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    allowed = rules.kinds[kind].types
    listed = ", ".join(rules.types[t].words for t in allowed)
    if found is None:
        raise NotAccepted(f"the file is not one of the types accepted: {listed}")
    type_ = rules.types[found]
    claimed = rules.types.get(_type_by_extension(rules, extension) or "")
    if claimed is None:
        raise NotAccepted(
            f"the file's name must end with the type it is (for example .{type_.extensions[0]})"
        )
    if claimed is not type_:
        raise NotAccepted(f"the file's name says {claimed.words} but the file is {_a(type_.words)}")
    if claimed_type and claimed_type.split(";")[0].strip().lower() not in (
        type_.content_type,
        "application/octet-stream",
    ):
        raise NotAccepted(f"the file was sent as another type, but it is {_a(type_.words)}")
    if found not in allowed:
        raise NotAccepted(f"{_a(rules.kinds[kind].words).lower()} must be one of: {listed}")
    return found


def _type_by_extension(rules: AttachmentRules, extension: str) -> str | None:
    return next((code for code, t in rules.types.items() if extension in t.extensions), None)


def _a(words: str) -> str:
    return ("an " if words[0].lower() in "aeiou" else "a ") + words


def _megabytes(n: int) -> str:
    return f"{n / 1_048_576:g} MB" if n >= 1_048_576 else f"{n // 1024} KB"


# --- Removing image metadata ----------------------------------------------------

# JPEG markers kept before the image data: JFIF (APP0) and Adobe (APP14, which
# says how the colours are encoded), tables, and frame headers. Every other
# APPn (EXIF and XMP in APP1, ICC and others) and comments (COM) go.
_JPEG_KEEP_APP = {0xE0, 0xEE}


def _strip_jpeg(data: bytes) -> bytes:
    out = bytearray(b"\xff\xd8")
    i = 2
    while True:
        if i + 4 > len(data) or data[i] != 0xFF:
            raise NotAccepted("the image is damaged or incomplete")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:
            raise NotAccepted("the image holds no picture")
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        end = i + 2 + length
        if length < 2 or end > len(data):
            raise NotAccepted("the image is damaged or incomplete")
        if marker == 0xDA:  # start of scan: the rest is picture data
            out += data[i:]
            return bytes(out)
        is_app = 0xE0 <= marker <= 0xEF
        if (not is_app or marker in _JPEG_KEEP_APP) and marker != 0xFE:
            out += data[i:end]
        i = end


# PNG chunks kept: everything needed to draw the picture. Text (tEXt, zTXt,
# iTXt), EXIF (eXIf), time (tIME) and any private chunk go.
_PNG_KEEP = {
    b"IHDR",
    b"PLTE",
    b"IDAT",
    b"IEND",
    b"tRNS",
    b"gAMA",
    b"cHRM",
    b"sRGB",
    b"iCCP",
    b"sBIT",
    b"pHYs",
    b"bKGD",
    b"acTL",
    b"fcTL",
    b"fdAT",
}


def _strip_png(data: bytes) -> bytes:
    out = bytearray(data[:8])
    i = 8
    while i < len(data):
        if i + 12 > len(data):
            raise NotAccepted("the image is damaged or incomplete")
        (length,) = struct.unpack(">I", data[i : i + 4])
        chunk = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > len(data):
            raise NotAccepted("the image is damaged or incomplete")
        if chunk in _PNG_KEEP:
            out += data[i:end]
        if chunk == b"IEND":
            return bytes(out)
        i = end
    raise NotAccepted("the image is damaged or incomplete")


def _decodes(data: bytes, max_pixels: int) -> None:
    """Pillow reads the whole picture, so a file that only starts like an
    image, or one that would unpack to an enormous picture, is refused."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise NotAccepted("the image is too large in pixels")
                image.load()
    except NotAccepted:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NotAccepted("the image is too large in pixels") from None
    except (OSError, ValueError, SyntaxError, struct.error, EOFError):  # Pillow's kinds
        raise NotAccepted("the image is damaged or incomplete") from None


def without_metadata(rules: AttachmentRules, type_code: str, data: bytes) -> bytes:
    """The file as it is kept: an image without its metadata (and checked to
    decode); anything else as received."""
    if type_code == "jpeg":
        cleaned = _strip_jpeg(data)
    elif type_code == "png":
        cleaned = _strip_png(data)
    else:
        return data
    _decodes(cleaned, rules.images.max_pixels)
    return cleaned


# --- CCTV -------------------------------------------------------------------------


def cctv_keep_until(rules: AttachmentRules, recorded_on: date) -> date:
    """When a CCTV recording not kept as evidence is deleted."""
    return recorded_on + timedelta(days=rules.cctv.keep_days)


def cctv_disclosable_to(rules: AttachmentRules, agency_type: str) -> bool:
    return agency_type in rules.cctv.disclosable_to
