"""The catalogue pages through HTTP: public search, feed and detail; applications; review; appeals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ajour.accounts.models import User
from ajour.catalogue import services
from ajour.catalogue.models import Activity, ApprovalAppeal, Attendance
from tests import factories
from tests.catalogue import factories as cf

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- public


def test_the_catalogue_needs_no_login_and_lists_only_approved_runs(client: Client) -> None:
    shown = cf.approved(title="Akut medicin i almen praksis")
    cf.submitted(title="Akut medicin for viderekomne")
    body = client.get("/catalogue/").content.decode()
    assert "Akut medicin i almen praksis" in body
    assert "viderekomne" not in body
    assert shown.number in body
    assert "8.000,00" in body or "13.600,00" in body  # what a GP can claim, from the cached preview


def test_group_meetings_and_individual_approvals_stay_out_of_the_public_catalogue(client: Client) -> None:
    cf.approved(title="Åbent kursus om astma")
    meeting = cf.approved(title="Gruppens møde om astma")
    Activity.objects.filter(pk=meeting.pk).update(form=Activity.Form.DGE_MEETING)
    personal = cf.approved(title="Personligt kursus om astma")
    Activity.objects.filter(pk=personal.pk).update(scope=Activity.Scope.INDIVIDUAL)
    body = client.get("/catalogue/", {"q": "astma"}).content.decode()
    assert "Åbent kursus om astma" in body
    assert "Gruppens møde" not in body
    assert "Personligt kursus" not in body


def test_search_by_text_and_number_and_filters(client: Client) -> None:
    diabetes = cf.approved(title="Diabetes update", description="Insulin og tabletter")
    cf.approved(title="Hjertesvigt", topic=cf.topic("hjerte", "Hjerte"), price_ore=100_000)
    assert "Diabetes update" in client.get("/catalogue/", {"q": "insulin"}).content.decode()
    assert "Hjertesvigt" not in client.get("/catalogue/", {"q": "insulin"}).content.decode()
    assert "Diabetes update" in client.get("/catalogue/", {"q": diabetes.number}).content.decode()
    by_topic = client.get("/catalogue/", {"topic": "hjerte"}).content.decode()
    assert "Hjertesvigt" in by_topic and "Diabetes update" not in by_topic
    cheap = client.get("/catalogue/", {"max_price": "2000"}).content.decode()
    assert "Hjertesvigt" in cheap and "Diabetes update" not in cheap
    assert "Diabetes update" not in client.get("/catalogue/", {"e_learning": "on"}).content.decode()
    factories.region("nordjylland", "Region Nordjylland")
    assert "Diabetes update" not in client.get("/catalogue/", {"region": "nordjylland"}).content.decode()
    assert "Diabetes update" in client.get("/catalogue/", {"region": "hovedstaden"}).content.decode()
    later = (date.today() + timedelta(days=400)).isoformat()
    assert "Diabetes update" not in client.get("/catalogue/", {"date_from": later}).content.decode()


def test_full_runs_are_hidden_when_asking_for_free_places(client: Client) -> None:
    activity = cf.approved(title="Fyldt kursus")
    activity.instances.update(booked=30)
    assert "Fyldt kursus" in client.get("/catalogue/").content.decode()
    assert "Fyldt kursus" not in client.get("/catalogue/", {"free_places": "on"}).content.decode()


def test_results_are_paginated_and_htmx_gets_only_the_results(client: Client) -> None:
    cf.approved(runs=25, title="Mange hold")
    first = client.get("/catalogue/", {"sort": "date"}).content.decode()
    assert "Side 1 af 2" in first and 'rel="next"' in first
    partial = client.get("/catalogue/", {"page": "2"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Side 2 af 2" in partial


def test_bad_filter_values_never_fail(client: Client) -> None:
    response = client.get("/catalogue/", {"date_from": "31-31-2025", "max_price": "-5", "page": "x"})
    assert response.status_code == 200


def test_ical_feed_is_rfc5545(client: Client) -> None:
    cf.approved(
        title="Kursus, med; specielle tegn og en meget lang titel der skal foldes over flere linjer æøå"
    )
    response = client.get("/catalogue/feed.ics", {"q": "specielle"})
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "Kursus\\, med\\; specielle" in unfolded
    assert "DTSTART:" in unfolded and "Z\r\n" in unfolded


def test_detail_page_shows_runs_programme_and_claim(client: Client) -> None:
    activity = cf.approved(runs=2)
    body = client.get(f"/catalogue/activity/{activity.pk}/").content.decode()
    assert body.count("Cases") == 4  # two runs × two days
    assert "Hel dag" in body
    draft = cf.draft()
    assert client.get(f"/catalogue/activity/{draft.pk}/").status_code == 404


def test_pages_show_the_approval_in_force_for_each_run_and_for_the_activity(client: Client) -> None:
    activity = cf.approved(runs=2, approval="both", theme=cf.se_theme(), requested_approval="both")
    second_run = activity.instances.order_by("starts_on")[1].starts_on
    services.change_approval(
        activity=activity,
        decided_by=cf.steering_member(),
        approval="self_chosen",
        valid_from=second_run,
        reasons="Kun selvvalgt fra andet hold.",
    )

    results = client.get("/catalogue/").content.decode()
    assert results.count("Selvvalgt og systematisk") == 1 and results.count("Selvvalgt<") == 1
    assert "Selvvalgt og systematisk" in client.get(f"/catalogue/activity/{activity.pk}/").content.decode()


# ---------------------------------------------------------------- applicants


PROGRAMME = "{d} 09:00-12:00 Oplæg\n{d} 13:00-16:30 Cases"


def application_post(**overrides: str) -> dict[str, str]:
    day = cf.weekday_after()
    data = {
        "title": "Lungemedicin",
        "description": "KOL og astma",
        "form": "course",
        "target_group": "gps",
        "topic": str(cf.topic().pk),
        "requested_approval": "self_chosen",
        "price_dkk": "4500",
        "gp_involvement": "Praktiserende læge som kursusleder",
        "curriculum_relevance": "Kronisk sygdom",
        "funding": "Deltagerbetaling",
        "planning_independent": "on",
        "run-venue": "Hotel Nyborg Strand",
        "run-town": "Nyborg",
        "run-region": str(factories.region().pk),
        "run-places": "40",
        "run-programme": PROGRAMME.format(d=day.isoformat()),
    }
    data.update(overrides)
    return data


def test_provider_registers_and_submits_an_activity_with_a_live_preview() -> None:
    user = factories.user(role=User.Role.PROVIDER)
    client = logged_in(user)
    assert "Registrér" in client.get("/home/").content.decode()
    response = client.post(
        "/catalogue/provider/register/",
        {"name": "Lægernes Kurser", "kind": "private", "email": "k@example.org"},
    )
    assert response.status_code == 302
    preview = client.post("/catalogue/apply/preview/", application_post()).content.decode()
    assert "Hel dag" in preview and "6 t 30 min" in preview
    response = client.post("/catalogue/apply/", application_post())
    activity = Activity.objects.get(title="Lungemedicin")
    assert response.url == f"/catalogue/applications/{activity.pk}/"
    page = client.get(response.url).content.decode()
    assert "Hel dag" in page and "6.800,00" in page
    client.post(f"/catalogue/applications/{activity.pk}/submit/")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SUBMITTED and activity.price_ore == 450_000


def test_a_bad_programme_line_is_named_and_nothing_is_saved() -> None:
    client = logged_in(cf.provider_user())
    day = cf.weekday_after().isoformat()
    response = client.post(
        "/catalogue/apply/", application_post(**{"run-programme": f"{day} 09:00-12:00 A\n{day} 9-12"})
    )
    assert response.status_code == 400
    assert "Linje 2" in response.content.decode()
    assert not Activity.objects.exists()


def test_systematic_without_theme_is_refused_in_the_form() -> None:
    client = logged_in(cf.provider_user())
    response = client.post("/catalogue/apply/", application_post(requested_approval="both"))
    assert response.status_code == 400 and not Activity.objects.exists()


def test_only_the_applicant_sees_an_application() -> None:
    activity = cf.draft()
    assert logged_in(cf.provider_user()).get(f"/catalogue/applications/{activity.pk}/").status_code == 404
    assert logged_in(cf.gp_user()).get(f"/catalogue/applications/{activity.pk}/").status_code == 404
    assert logged_in(activity.created_by).get(f"/catalogue/applications/{activity.pk}/").status_code == 200
    assert Client().get(f"/catalogue/applications/{activity.pk}/").status_code == 302


def test_other_roles_cannot_apply_or_review() -> None:
    analyst = logged_in(factories.user(role=User.Role.ANALYST))
    assert analyst.get("/catalogue/apply/").status_code == 403
    assert analyst.get("/catalogue/review/").status_code == 403
    assert analyst.get("/catalogue/appeals/").status_code == 403
    activity = cf.submitted()
    assert analyst.get(f"/catalogue/review/{activity.pk}/").status_code == 404


def test_consultant_queue_shows_timers_and_findings_and_decides() -> None:
    activity = cf.submitted(funding="")
    consultant = logged_in(cf.consultant())
    body = consultant.get("/catalogue/review/", {"problems_only": "on"}).content.decode()
    assert activity.title in body and "Mangler" in body
    assert activity.title in consultant.get("/home/").content.decode()
    response = consultant.post(
        f"/catalogue/review/{activity.pk}/", {"action": "request_info", "reasons": "Hvem betaler?"}
    )
    assert response.status_code == 302
    applicant = logged_in(activity.created_by)
    assert "Hvem betaler?" in applicant.get(f"/catalogue/applications/{activity.pk}/").content.decode()
    applicant.post(f"/catalogue/applications/{activity.pk}/answer/", {"answer": "Deltagerne."})
    instance = activity.instances.get()
    response = consultant.post(
        f"/catalogue/review/{activity.pk}/",
        {
            "action": "approve",
            "approval": "self_chosen",
            "scope": "general",
            f"days_{instance.pk}": "1.5",
            "conditions": "Evaluering",
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    instance.refresh_from_db()
    assert activity.status == Activity.Status.APPROVED and instance.approved_half_days == 3
    assert activity.number in applicant.get("/home/").content.decode()


def test_a_rejection_without_reasons_is_refused() -> None:
    activity = cf.submitted()
    response = logged_in(cf.consultant()).post(
        f"/catalogue/review/{activity.pk}/", {"action": "reject", "reasons": ""}
    )
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SUBMITTED


def test_rejection_appeal_and_steering_decision_through_the_pages() -> None:
    activity = cf.submitted()
    logged_in(cf.consultant()).post(
        f"/catalogue/review/{activity.pk}/", {"action": "reject", "reasons": "For snævert."}
    )
    applicant = logged_in(activity.created_by)
    assert "For snævert." in applicant.get(f"/catalogue/applications/{activity.pk}/").content.decode()
    applicant.post(f"/catalogue/applications/{activity.pk}/appeal/", {"reasons": "Bredt relevant."})
    appeal = ApprovalAppeal.objects.get()
    steering = logged_in(cf.steering_member())
    assert activity.title in steering.get("/home/").content.decode()
    assert "Bredt relevant." in steering.get(f"/catalogue/appeals/{appeal.pk}/").content.decode()
    steering.post(
        f"/catalogue/appeals/{appeal.pk}/",
        {"outcome": "overturn", "approval": "self_chosen", "reasons": "Relevant."},
    )
    activity.refresh_from_db()
    assert activity.status == Activity.Status.APPROVED
    response = steering.post(
        f"/catalogue/review/{activity.pk}/change/",
        {"approval": "none", "valid_from": date.today().isoformat(), "reasons": "Trukket tilbage."},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.REVOKED


def test_attendance_upload_reports_row_errors_then_offers_the_gp_a_claim() -> None:
    activity = cf.approved()
    past = date.today() - timedelta(days=3)
    activity.instances.update(starts_on=past, ends_on=past)
    instance = activity.instances.get()
    gp = factories.doctor(first_name="Birgitte")
    provider = logged_in(activity.created_by)
    bad = SimpleUploadedFile("deltagere.csv", f"authorisation_id\n{gp.authorisation_id}\nXXXXX\n".encode())
    body = provider.post(f"/catalogue/runs/{instance.pk}/attendance/", {"file": bad}).content.decode()
    assert "Række 3" in body and not Attendance.objects.exists()
    good = SimpleUploadedFile("deltagere.csv", f"{gp.authorisation_id}\n".encode())
    assert provider.post(f"/catalogue/runs/{instance.pk}/attendance/", {"file": good}).status_code == 302
    home = logged_in(cf.gp_user(gp)).get("/home/").content.decode()
    assert f"/claims/new/{instance.pk}/" in home or f"?instance={instance.pk}" in home
    assert logged_in(cf.provider_user()).get(f"/catalogue/runs/{instance.pk}/attendance/").status_code == 404


def test_attendance_upload_refuses_cells_a_spreadsheet_would_run_as_formulas() -> None:
    activity = cf.approved()
    past = date.today() - timedelta(days=3)
    activity.instances.update(starts_on=past, ends_on=past)
    instance = activity.instances.get()
    gp = factories.doctor()
    provider = logged_in(activity.created_by)
    cells = ["=1+1", "+4512", "-1", "@SUM(A1)", f"\t{gp.authorisation_id}", f"\r{gp.authorisation_id}"]
    upload = "authorisation_id\n" + "".join(f'"{cell}"\n' for cell in cells) + f"{gp.authorisation_id}\n"

    body = provider.post(
        f"/catalogue/runs/{instance.pk}/attendance/",
        {"file": SimpleUploadedFile("deltagere.csv", upload.encode())},
    ).content.decode()

    for row in range(2, 2 + len(cells)):
        assert f"Række {row}: cellen begynder med =, +, -, @" in body
    assert "Række 8" not in body
    assert not Attendance.objects.exists()


def test_gp_asks_for_individual_approval_and_sees_the_breadth_rule() -> None:
    gp = factories.doctor()
    client = logged_in(cf.gp_user(gp))
    assert "4 kursusdage" in client.get("/catalogue/apply/").content.decode()
    day = cf.weekday_after()
    programme = "\n".join(f"{day + timedelta(days=n)} 09:00-16:00 Dag {n}" for n in range(4))
    data = application_post(**{"run-programme": programme, "justification": "Mange patienter med KOL."})
    response = client.post("/catalogue/apply/", data)
    activity = Activity.objects.get()
    assert activity.applicant_doctor == gp and response.status_code == 302
    page = client.post(f"/catalogue/applications/{activity.pk}/submit/", follow=True).content.decode()
    assert "P-05" in page
    services.update_activity(
        activity=activity,
        user=activity.created_by,
        data=cf.activity_data(
            justification="Mange patienter med KOL.", breadth_statement="Også brede kurser."
        ),
    )
    client.post(f"/catalogue/applications/{activity.pk}/submit/")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SUBMITTED
    review = logged_in(cf.consultant()).get(f"/catalogue/review/{activity.pk}/").content.decode()
    assert "seneste 5 år" in review


def test_the_catalogue_speaks_english_too(client: Client) -> None:
    cf.approved()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/catalogue/").content.decode()
    assert "A GP can claim" in body and "Calendar feed (.ics) for this search" in body


def test_the_provider_keeps_places_taken_current() -> None:
    activity = cf.approved()
    instance = activity.instances.get()
    provider = logged_in(activity.created_by)
    provider.post(f"/catalogue/runs/{instance.pk}/bookings/", {"booked": "30"})
    instance.refresh_from_db()
    assert instance.booked == 30 and instance.free_places == 0
    page = provider.post(
        f"/catalogue/runs/{instance.pk}/bookings/", {"booked": "31"}, follow=True
    ).content.decode()
    assert "mellem 0 og 30" in page
    assert (
        logged_in(cf.provider_user())
        .post(f"/catalogue/runs/{instance.pk}/bookings/", {"booked": "1"})
        .status_code
        == 404
    )


def test_the_steering_group_finds_the_withdrawal_page_from_the_activity() -> None:
    activity = cf.approved()
    url = f"/catalogue/review/{activity.pk}/change/"
    assert url in logged_in(cf.steering_member()).get(f"/catalogue/activity/{activity.pk}/").content.decode()
    assert url not in Client().get(f"/catalogue/activity/{activity.pk}/").content.decode()


def test_the_application_form_refuses_values_beyond_their_columns_with_the_field_error() -> None:
    """Places of 2^31 crashed PostgreSQL; a programme day in 9999 was stored; 40 digits as a further
    topic overflowed the database query."""
    client = logged_in(cf.provider_user())
    for field, value, message in (
        ("run-places", str(2**31), "2147483647"),
        ("run-programme", "9999-12-31 09:00-12:00 Oplæg", "Linje 1: Angiv en dato fra 2000-01-01"),
        ("run-programme", "1999-12-31 09:00-12:00 Oplæg", "Linje 1: Angiv en dato fra 2000-01-01"),
        ("price_dkk", "99999999", "1000000"),
        ("description", "x" * 5_001, "5000"),
        ("extra_topics", "9" * 40, "Marker en gyldig valgmulighed"),
    ):
        response = client.post("/catalogue/apply/", application_post(**{field: value}))
        body = response.content.decode()
        assert response.status_code == 400, field
        assert message in body.replace("\xa0", "").replace(".", ""), (field, message)
    assert not Activity.objects.exists()


def test_an_attendance_csv_with_a_nul_byte_is_refused_by_row_and_writes_nothing() -> None:
    """PostgreSQL cannot compare text holding NUL: the ID used to go into the lookup of doctors."""
    activity = cf.approved()
    past = date.today() - timedelta(days=3)
    activity.instances.update(starts_on=past, ends_on=past)
    instance = activity.instances.get()
    gp = factories.doctor()
    provider = logged_in(activity.created_by)
    upload = SimpleUploadedFile("deltagere.csv", f"{gp.authorisation_id}\nAB\x00CD\n".encode())
    response = provider.post(f"/catalogue/runs/{instance.pk}/attendance/", {"file": upload})
    assert response.status_code == 400
    assert "Række 2: “ABCD” er ikke et autorisations-ID" in response.content.decode()
    assert not Attendance.objects.exists()
    unclosed = SimpleUploadedFile("deltagere.csv", b'"' + b"A" * 200_000 + b"\n")
    response = provider.post(f"/catalogue/runs/{instance.pk}/attendance/", {"file": unclosed})
    assert response.status_code == 400 and "CSV-fil" in response.content.decode()


def test_a_change_of_approval_from_a_far_date_is_refused() -> None:
    activity = cf.approved()
    client = logged_in(cf.steering_member())
    for day in ("9999-12-31", "0001-01-01"):
        response = client.post(
            f"/catalogue/review/{activity.pk}/change/",
            {"approval": "none", "valid_from": day, "reasons": "Tilbagekaldt"},
        )
        assert response.status_code == 400 and "Angiv en dato fra 2000-01-01" in response.content.decode()
    assert activity.decisions.count() == 1
