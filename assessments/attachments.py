"""Attachment checks that need no database: filename sanitising and file-type sniffing."""

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings

# Extension -> (content type, the leading bytes a genuine file of that type starts with).
# Plain-text types have no magic number: they are accepted when they decode as UTF-8.
KNOWN_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": ("text/plain", ()),
    "csv": ("text/csv", ()),
}
TEXT_TYPES = frozenset({"txt", "csv"})


class AttachmentRejected(ValueError):
    """An upload that breaks the size or type rules; the message says which."""


def allowed_extensions() -> list[str]:
    return [ext for ext in settings.ATTACHMENT_ALLOWED_EXTENSIONS if ext in KNOWN_TYPES]


def sanitise_filename(name: str, *, max_length: int = 120) -> str:
    """A safe display name: no directories, control characters or shell-hostile punctuation."""
    # Browsers on Windows may send a full path; keep the last component whichever separator.
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[^\w.\- ]", "_", base, flags=re.UNICODE).strip(" .")
    base = re.sub(r"[ _]{2,}", "_", base)
    if not base or base.startswith("."):
        base = f"attachment{base}"
    stem, dot, ext = base.rpartition(".")
    if dot and len(base) > max_length:
        base = f"{stem[: max_length - len(ext) - 1]}.{ext}"
    return base[:max_length]


def extension_of(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def attachment_check(*, name: str, size: int, head: bytes) -> tuple[str, str]:
    """Check an upload's size, extension and leading bytes; return (safe name, content type)."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise AttachmentRejected(
            f"The file is {size:,} bytes; the limit is {limit:,} bytes ({limit // 1024 // 1024} MB)."
        )
    if size == 0:
        raise AttachmentRejected("The file is empty.")
    safe_name = sanitise_filename(name)
    ext = extension_of(safe_name)
    allowed = allowed_extensions()
    if ext not in allowed:
        raise AttachmentRejected(
            f"Files of type '.{ext or '(none)'}' are not accepted; allowed: "
            + ", ".join(f".{e}" for e in allowed)
            + "."
        )
    content_type, magics = KNOWN_TYPES[ext]
    if ext in TEXT_TYPES:
        if b"\x00" in head or not _decodes_as_utf8(head):
            raise AttachmentRejected(f"The file's content is not plain text, as .{ext} requires.")
    elif not any(head.startswith(magic) for magic in magics):
        raise AttachmentRejected(
            f"The file's content does not look like a .{ext} file; it may be mislabelled."
        )
    return safe_name, content_type


def _decodes_as_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sniffed head may cut a multi-byte character in half at its very end.
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True
