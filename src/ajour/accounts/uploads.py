"""Checks for uploaded documents: size, real type (magic bytes, never the name or the browser's word) and,
for PDFs, no active content. The size is enforced while the request is read (`LimitedUploadHandler`), so
an oversized upload is refused after at most the limit's bytes, not after all of them."""

from __future__ import annotations

from io import BytesIO
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import MultiValueDict
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

PDF = {"application/pdf": b"%PDF-"}
RECEIPT_TYPES = {**PDF, "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}

SCRIPT_KEYS = {"/JS", "/JavaScript", "/AA", "/XFA"}
"""Keys of JavaScript (actions, the document's script names), of automatic actions (/AA: run when a page,
a field or the document is opened, closed, printed…) and of XFA forms, whose XML carries scripts."""
EMBEDDING_KEYS = {"/EmbeddedFile", "/EmbeddedFiles", "/EF", "/Launch"}
"""Keys of embedded files (a file specification's /EF, the document's /EmbeddedFiles names) and of
launch actions (which start another program)."""
SCRIPT_ACTIONS = {"/JavaScript"}
EMBEDDING_ACTIONS = {"/Launch", "/GoToE"}
"""Action types (/S) refused wherever they are: in /OpenAction, a link, a form field or a bookmark
(/GoToE opens an embedded document)."""
MAX_PDF_OBJECTS = 200_000
"""A document needing more objects than this is refused rather than walked (a 5 MB file has far fewer)."""


def upload_limit() -> int:
    """The largest file Ajour accepts, in bytes (`AJOUR_UPLOAD_MAX_BYTES`)."""
    return int(settings.AJOUR_UPLOAD_MAX_BYTES)


def too_large() -> str:
    return _("The file is too large; the limit is %(limit)d MB.") % {"limit": upload_limit() // 2**20}


def within_upload_limit(upload: UploadedFile[bytes] | None) -> None:
    """The form fields' validator: an upload above the limit gets the reason next to its field."""
    if upload is not None and (upload.size or 0) > upload_limit():
        raise ValidationError(too_large())


class LimitedFileField(forms.FileField):
    """Every upload field: the limit is checked by the server (this validator, after the upload handler
    stopped reading) and, where JavaScript runs, by the browser before it sends anything
    (`ajour/uploads.js` reads `data-max-bytes` and shows `data-too-large` at the field)."""

    default_validators = [within_upload_limit]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # Fields are made when their form class is; the limit and the message (in the reader's
        # language) are read when the page is drawn.
        return {
            **super().widget_attrs(widget),
            "data-max-bytes": lazy(lambda: str(upload_limit()), str)(),
            "data-too-large": lazy(too_large, str)(),
        }


def checked_content_type(upload: UploadedFile[bytes] | None, *, allowed: dict[str, bytes]) -> str:
    """The upload's content type as read from its first bytes; raises ValidationError with a clear reason.

    A PDF is also read through (pypdf) and refused when it carries JavaScript, automatic actions,
    embedded files or launch actions: receipts and contracts are documents to read, nothing to run.
    """
    if upload is None:
        raise ValidationError(_("Choose a file to upload."))
    if not upload.size:
        raise ValidationError(_("The file is empty."))
    within_upload_limit(upload)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, magic in allowed.items():
        if head.startswith(magic):
            if content_type == "application/pdf":
                _refuse_active_pdf(upload)
            return content_type
    kinds = ", ".join(sorted(t.split("/")[1].upper() for t in allowed))
    raise ValidationError(_("The file is not a valid %(kinds)s file.") % {"kinds": kinds})


def _refuse_active_pdf(upload: UploadedFile[bytes]) -> None:
    try:
        found = active_pdf_content(upload)
    except Exception as failure:  # any parser failure on an untrusted file: refused as not a PDF
        raise ValidationError(_("The file is not a valid PDF file.")) from failure
    finally:
        upload.seek(0)
    if found == "script":
        raise ValidationError(
            _(
                "The PDF contains JavaScript or actions that run when it is opened. Save or print it "
                "as a new PDF without them and upload that."
            )
        )
    if found == "embedding":
        raise ValidationError(
            _("The PDF contains embedded files or starts other programs. Upload the document itself.")
        )


def active_pdf_content(stream: IO[bytes]) -> str:
    """ "script", "embedding" or "" (none): what the PDF carries besides its pages.

    Every object reachable from the trailer is visited once, dictionaries by their keys and action types
    (pypdf resolves object streams and decodes escaped names such as `/J#53`); stream contents are not
    decoded. An encrypted PDF is read with the empty user password, as a viewer opens it.
    """
    reader = PdfReader(stream, strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    pending: list[PdfObject | None] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValueError("too many objects")
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            kind = _active_keys(node)
            if kind:
                return kind
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return ""


def _active_keys(node: DictionaryObject) -> str:
    keys = set(node.keys())
    action = node.get("/S")
    action_type = str(action) if isinstance(action, NameObject) else ""
    if keys & SCRIPT_KEYS or action_type in SCRIPT_ACTIONS:
        return "script"
    if keys & EMBEDDING_KEYS or action_type in EMBEDDING_ACTIONS or node.get("/Type") == "/EmbeddedFile":
        return "embedding"
    return ""


class TooLargeUpload(UploadedFile):  # type: ignore[type-arg]
    """Stands for a file whose reading was stopped at the limit: no content, a size above the limit,
    so that the form's size check names the problem next to the field."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__(file=BytesIO(), name=name, content_type="application/octet-stream", size=size)


class LimitedUploadHandler(FileUploadHandler):
    """The first upload handler: stops reading a multipart request as soon as it is known to be too large.

    Refused at once when the declared Content-Length exceeds the file limit plus the form-field limit
    (`DATA_UPLOAD_MAX_MEMORY_SIZE`), or a part declares a length above the file limit; otherwise when a
    file's streamed bytes pass the limit. The rest of the body is not read (StopUpload with
    connection_reset). The fields read so far are kept (the CSRF token comes first) and the refused
    file is replaced by a `TooLargeUpload`, so the page can say what was wrong.

    To replace the file it parses the request itself, with the request's handlers (itself included,
    which then only counts), since Django gives handlers no other way to add to `request.FILES`.
    """

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.parsing = False
        self.declared = 0
        self.received = 0
        self.refused: tuple[str, str, int] | None = None

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[Any, MultiValueDict[str, UploadedFile]] | None:  # type: ignore[type-arg]
        if self.parsing or self.request is None:
            return None
        self.parsing = True
        self.declared = content_length
        parser = MultiPartParser(META, input_data, self.request.upload_handlers, encoding)  # type: ignore[arg-type]
        post, files = parser.parse()
        if self.refused is not None:
            field, name, size = self.refused
            files.setlist(field, [TooLargeUpload(name, size)])
        return post, files

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0
        if self.declared > upload_limit() + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            self._refuse(self.declared)
        if (self.content_length or 0) > upload_limit():
            self._refuse(self.content_length or 0)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received = start + len(raw_data)
        if self.received > upload_limit():
            self._refuse(self.received)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) keeps the file

    def _refuse(self, size: int) -> None:
        self.refused = (self.field_name, self.file_name or "", size)
        raise StopUpload(connection_reset=True)
