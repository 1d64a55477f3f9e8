"""Uploaded evidence and attachments are accepted by what their bytes are, never by their name.

``check_upload`` reads the first bytes of a file and returns the kind it really is (PDF, PNG, JPEG,
an Office Open XML document, plain text); anything else, or a file over the size limit, is refused
with a translated message for the form field.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extension: str


PDF = Kind("pdf", "application/pdf", "pdf")
PNG = Kind("png", "image/png", "png")
JPEG = Kind("jpeg", "image/jpeg", "jpg")
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
TEXT = Kind("text", "text/plain", "txt")

EVIDENCE_KINDS = (PDF, PNG, JPEG, DOCX, XLSX, TEXT)


def max_upload_bytes() -> int:
    return settings.KENES_UPLOAD_MAX_BYTES


def sniff(file: UploadedFile) -> Kind | None:
    """The kind of ``file`` judged from its content, or None when it is none we accept."""
    file.seek(0)
    head = file.read(2048)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(file)
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character may be cut at the end of the sample.
            if error.start < len(head) - 4:
                return None
        return TEXT
    return None


def _office_kind(file: UploadedFile) -> Kind | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    return None


def check_upload(
    file: UploadedFile, *, kinds: tuple[Kind, ...] = EVIDENCE_KINDS, field: str = "file"
) -> Kind:
    """Return the kind of ``file`` or raise a ValidationError for ``field`` saying why it is refused."""
    limit = max_upload_bytes()
    if file.size is not None and file.size > limit:
        raise ValidationError(
            {field: _("The file is larger than %(limit)s MB.") % {"limit": round(limit / (1024 * 1024), 1)}}
        )
    kind = sniff(file)
    if kind is None or kind not in kinds:
        allowed = ", ".join(k.extension.upper() for k in kinds)
        raise ValidationError(
            {field: _("This kind of file is not accepted. Accepted: %(kinds)s.") % {"kinds": allowed}}
        )
    return kind
