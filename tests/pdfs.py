"""Real PDF files for upload tests: a plain document, and documents crafted to carry active content the
way hostile files do (JavaScript, automatic actions, embedded files, launch actions, escaped names)."""

from __future__ import annotations

import io
import struct
import zlib

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def plain(*, size: int | None = None) -> bytes:
    """A one-page PDF that opens at its first page (an /OpenAction that is a destination, not an action);
    with `size`, padded to exactly that many bytes by a long /Keywords entry."""

    def written(padding: int) -> bytes:
        writer = _one_page()
        writer.open_destination = writer.pages[0]
        if padding:
            writer.add_metadata({"/Keywords": "A" * padding})
        return _written(writer)

    document = written(0)
    padding = 0
    while size is not None and len(document) != size:  # the trailer's offsets grow by a digit or two
        padding += size - len(document)
        document = written(padding)
    return document


def encrypted_plain() -> bytes:
    """A plain PDF with only an owner password (AES-256), as shops and banks send receipts."""
    writer = _one_page()
    writer.encrypt(user_password="", owner_password="butikken", algorithm="AES-256")
    return _written(writer)


def _add_document_script(writer: PdfWriter) -> None:
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")}
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("hej"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def javascript_in_names() -> bytes:
    """A document-level script (the catalogue's /Names /JavaScript tree), run when the file opens."""
    writer = _one_page()
    _add_document_script(writer)
    return _written(writer)


def javascript_open_action() -> bytes:
    """/OpenAction with a JavaScript action."""
    writer = _one_page()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("this.submitForm('https://example.invalid/');"),
        }
    )
    return _written(writer)


def automatic_action_on_page() -> bytes:
    """A page's /AA (additional actions): run when the page is opened."""
    writer = _one_page()
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
            )
        }
    )
    return _written(writer)


def encrypted_javascript() -> bytes:
    """JavaScript in a PDF encrypted with only an owner password."""
    writer = _one_page()
    _add_document_script(writer)
    writer.encrypt(user_password="", owner_password="butikken", algorithm="AES-256")
    return _written(writer)


def embedded_file() -> bytes:
    """An attachment (/EmbeddedFiles names, a file specification with /EF)."""
    writer = _one_page()
    writer.add_attachment("faktura.exe", b"MZ\x90\x00 not really a program")
    return _written(writer)


def launch_link() -> bytes:
    """A link annotation whose action launches a program."""
    writer = _one_page()
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([]),
            NameObject("/A"): action,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def escaped_names() -> bytes:
    """Written by hand: an /OpenAction whose names are hex-escaped (`/Java#53cript`, `/J#53`), which a
    search for the bytes `/JavaScript` or `/JS` does not find but every viewer reads as JavaScript."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /S /Java#53cript /J#53 (app.alert\\(1\\)) >>",
    ]
    body = b"%PDF-1.7\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


def script_in_object_stream() -> bytes:
    """Written by hand: every object compressed inside an object stream (PDF 1.5), so the file's bytes
    show no name at all; the JavaScript is there only for a reader that inflates the stream."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
    ]
    header, data = b"", b""
    for number, content in enumerate(objects, start=1):
        header += b"%d %d " % (number, len(data))
        data += content + b"\n"
    packed = zlib.compress(header + data)
    body = b"%PDF-1.7\n"
    stream_at = len(body)
    body += b"5 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        len(objects),
        len(header),
        len(packed),
    )
    body += packed + b"\nendstream\nendobj\n"
    xref_at = len(body)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 2, 5, index) for index in range(len(objects))]
    rows += [struct.pack(">BIH", 1, stream_at, 0), struct.pack(">BIH", 1, xref_at, 0)]
    table = zlib.compress(b"".join(rows))
    body += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
        b"stream\n" % len(table)
    )
    body += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return body
