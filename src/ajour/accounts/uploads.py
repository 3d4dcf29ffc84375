"""Checks for uploaded documents: size and real type (magic bytes), never the name or the browser's word."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PDF = {"application/pdf": b"%PDF-"}
RECEIPT_TYPES = {**PDF, "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


def checked_content_type(upload: UploadedFile[bytes] | None, *, allowed: dict[str, bytes]) -> str:
    """The upload's content type as read from its first bytes; raises ValidationError with a clear reason."""
    if upload is None:
        raise ValidationError(_("Choose a file to upload."))
    if not upload.size:
        raise ValidationError(_("The file is empty."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)d MB); the limit is %(limit)d MB.")
            % {"size": -(-upload.size // (1024 * 1024)), "limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, magic in allowed.items():
        if head.startswith(magic):
            return content_type
    kinds = ", ".join(sorted(t.split("/")[1].upper() for t in allowed))
    raise ValidationError(_("The file is not a valid %(kinds)s file.") % {"kinds": kinds})
