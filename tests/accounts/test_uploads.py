"""Uploads through the pages: stopped at the size limit while the request is read, not after it; PDFs
with JavaScript, automatic actions, embedded files or launch actions refused; every refusal named next
to the file field, nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ajour.accounts.models import Doctor, EmploymentConfirmation, User
from ajour.catalogue.models import Attendance
from ajour.claims.models import Claim, ControlPolicy, Receipt
from ajour.claims.services import submit_claim
from tests import factories, pdfs
from tests.catalogue import factories as cf
from tests.claims import factories as f

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "AjourTestBoundary"


@pytest.fixture
def receipt_page() -> tuple[Client, Claim]:
    """A GP's claim selected for sample control, and the GP's logged-in client."""
    gp = f.gp(year=date.today().year)
    ControlPolicy.objects.create(year=date.today().year, share_basis_points=10_000, seed="s")
    instance = f.activity(days=[f.recent_weekday()])
    claim = submit_claim(claimant=gp, request=f.request_for(instance), filed_on=date.today(), by=None).claim
    assert claim.status == Claim.Status.CONTROL_REQUESTED
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(f.login_of(gp))
    return client, claim


def _error_next_to_the_file_field(html: str) -> str:
    start = html.index('id="id_file_error">') + len('id="id_file_error">')
    return html[start : html.index("</span>", start)]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (pdfs.javascript_in_names, "JavaScript"),
        (pdfs.javascript_open_action, "JavaScript"),
        (pdfs.automatic_action_on_page, "JavaScript"),
        (pdfs.encrypted_javascript, "JavaScript"),
        (pdfs.escaped_names, "JavaScript"),
        (pdfs.script_in_object_stream, "JavaScript"),
        (pdfs.embedded_file, "embedded files"),
        (pdfs.launch_link, "starts other programs"),
    ],
)
def test_a_pdf_with_active_content_is_refused_next_to_the_field(
    receipt_page: tuple[Client, Claim], make: Callable[[], bytes], reason: str
) -> None:
    client, claim = receipt_page

    response = client.post(
        f"/claims/{claim.public_id}/receipts/", {"file": SimpleUploadedFile("kvittering.pdf", make())}
    )

    assert response.status_code == 400
    assert reason in _error_next_to_the_file_field(response.content.decode())
    assert not Receipt.objects.exists()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONTROL_REQUESTED


@pytest.mark.parametrize("make", [pdfs.plain, pdfs.encrypted_plain])
def test_a_plain_pdf_is_accepted(receipt_page: tuple[Client, Claim], make: Callable[[], bytes]) -> None:
    client, claim = receipt_page

    response = client.post(
        f"/claims/{claim.public_id}/receipts/", {"file": SimpleUploadedFile("kvittering.pdf", make())}
    )

    assert response.status_code == 302
    assert Receipt.objects.get().claim == claim


def test_a_broken_pdf_is_refused_as_not_a_pdf(receipt_page: tuple[Client, Claim]) -> None:
    client, claim = receipt_page
    broken = pdfs.plain()[:200]

    response = client.post(
        f"/claims/{claim.public_id}/receipts/", {"file": SimpleUploadedFile("kvittering.pdf", broken)}
    )

    assert "not a valid PDF file" in _error_next_to_the_file_field(response.content.decode())
    assert not Receipt.objects.exists()


def test_a_contract_with_javascript_is_refused_in_danish_next_to_the_field() -> None:
    employed = factories.doctor(role=Doctor.Role.GP_EMPLOYED)
    client = Client()
    client.force_login(factories.user(role=User.Role.GP, doctor=employed))

    response = client.post(
        "/accounts/employment/",
        {"year": date.today().year, "document": SimpleUploadedFile("k.pdf", pdfs.javascript_open_action())},
    )

    assert "indeholder JavaScript" in response.content.decode()
    assert not EmploymentConfirmation.objects.exists()


class Upload:
    """A multipart body produced as it is read, counting what the server took: a CSRF-like field, then
    one file of `size` bytes."""

    def __init__(self, *, size: int, field: str = "file", name: str = "kvittering.pdf") -> None:
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nfirst field\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = len(self.head) + size + len(self.tail)
        self.taken = 0

    def read(self, count: int = -1) -> bytes:
        end = self.size if count < 0 else min(self.size, self.taken + count)
        body_end = self.size - len(self.tail)
        parts = [
            self.head[self.taken : end],
            b"A" * max(0, min(end, body_end) - max(self.taken, len(self.head))),
            self.tail[max(0, self.taken - body_end) : max(0, end - body_end)],
        ]
        self.taken = end
        return b"".join(parts)

    def readline(self, count: int = -1) -> bytes:  # the WSGI input's interface; multipart parsing reads
        return self.read(count)

    def post(self, client: Client, url: str, *, declared: int | None = None) -> object:
        return client.generic(
            "POST",
            url,
            **{
                "wsgi.input": self,
                "CONTENT_LENGTH": str(declared or self.size),
                "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            },
        )


def test_an_upload_declared_far_above_the_limit_is_refused_before_its_file_is_read(
    receipt_page: tuple[Client, Claim],
) -> None:
    client, claim = receipt_page
    upload = Upload(size=50 * MB)

    response = upload.post(client, f"/claims/{claim.public_id}/receipts/")

    assert "too large; the limit is 5 MB" in _error_next_to_the_file_field(response.content.decode())  # type: ignore[attr-defined]
    assert upload.taken < 256 * 1024, f"read {upload.taken} bytes of a refused upload"
    assert not Receipt.objects.exists()


def test_an_upload_streaming_past_the_limit_is_stopped_there(receipt_page: tuple[Client, Claim]) -> None:
    client, claim = receipt_page
    upload = Upload(size=settings.AJOUR_UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2)

    response = upload.post(client, f"/claims/{claim.public_id}/receipts/")

    assert "too large" in _error_next_to_the_file_field(response.content.decode())  # type: ignore[attr-defined]
    assert upload.taken < settings.AJOUR_UPLOAD_MAX_BYTES + 256 * 1024
    assert upload.taken < upload.size
    assert not Receipt.objects.exists()


def test_a_file_just_within_the_limit_goes_through_the_handler_whole(
    receipt_page: tuple[Client, Claim],
) -> None:
    client, claim = receipt_page
    document = pdfs.plain(size=settings.AJOUR_UPLOAD_MAX_BYTES)

    response = client.post(
        f"/claims/{claim.public_id}/receipts/", {"file": SimpleUploadedFile("kvittering.pdf", document)}
    )

    assert response.status_code == 302
    assert Receipt.objects.get().size == settings.AJOUR_UPLOAD_MAX_BYTES


def test_an_attendance_file_above_the_limit_is_refused_next_to_its_field() -> None:
    activity = cf.approved()
    instance = activity.instances.get()
    provider = Client()
    provider.force_login(activity.created_by)
    rows = b"T0001\n" * (settings.AJOUR_UPLOAD_MAX_BYTES // 6 + 1)

    response = provider.post(
        f"/catalogue/runs/{instance.pk}/attendance/", {"file": SimpleUploadedFile("deltagere.csv", rows)}
    )

    assert response.status_code in (200, 400)
    assert "Filen er for stor; grænsen er 5 MB." in response.context["form"].errors["file"]
    assert not Attendance.objects.exists()
