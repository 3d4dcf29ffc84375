"""The approval workflow through its services: pre-checks, decisions, numbers, appeals, attendance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ajour.catalogue import selectors, services
from ajour.catalogue.models import Activity, ActivityNumber, ApprovalAppeal, Attendance
from ajour.claims.selectors import claimable_attendances
from tests import factories
from tests.catalogue import factories as cf
from tests.conftest import RulesParameters

pytestmark = pytest.mark.django_db


def codes(activity: Activity) -> list[str]:
    return [finding["code"] for finding in activity.prechecks]


def test_a_draft_shows_what_a_gp_can_claim_at_once() -> None:
    activity = cf.draft()
    (instance,) = activity.instances.all()
    assert instance.claimable is not None
    assert [day["class"] for day in instance.claimable["days"]] == ["full", "full"]
    assert instance.claimable["options"][0]["fee_ore"] == 800_000
    assert activity.status == Activity.Status.DRAFT


def test_a_complete_application_is_submitted_without_findings() -> None:
    activity = cf.submitted()
    assert activity.status == Activity.Status.SUBMITTED
    assert activity.submitted_at is not None
    assert activity.prechecks == []


def test_prechecks_find_missing_evidence_short_days_industry_and_duplicates() -> None:
    user = cf.provider_user()
    cf.draft(user=user, title="Hjertesvigt")
    activity = cf.draft(user=user, title="hjertesvigt", funding="", industry_involvement=True)
    instance = activity.instances.get()
    day = instance.days.first()
    day.ends_at = day.starts_at.replace(hour=11)  # 2 h: too short for a course day
    day.save()
    services.refresh_claimable(instance=instance)
    activity = services.submit_activity(activity=activity, user=user)
    assert set(codes(activity)) >= {"missing_field", "industry_influence", "day_too_short", "duplicate"}
    messages = selectors.precheck_messages(activity.prechecks)
    assert any("R-IND-2" in message for message in messages)


def test_full_days_without_breaks_are_flagged() -> None:
    activity = cf.draft()
    activity.instances.get().days.update(break_minutes=0)
    activity = services.submit_activity(activity=activity, user=activity.created_by)
    assert "no_breaks" in codes(activity)


def test_industry_influence_blocks_approval() -> None:
    activity = cf.submitted(industry_involvement=True)
    with pytest.raises(services.CatalogueError, match="R-IND-2"):
        services.approve_activity(
            activity=activity, decided_by=cf.consultant(), approval="self_chosen", scope="general"
        )
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SUBMITTED
    assert not activity.decisions.exists()


def test_approval_issues_numbers_in_sequence_per_year_and_tells_the_provider(
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = cf.approved()
        second = cf.approved()
    year = timezone.localdate().year
    assert first.number == f"{year}-0001"
    assert second.number == f"{year}-0002"
    assert first.status == Activity.Status.APPROVED
    assert first.decisions.get().version == 1
    assert any("godkendt" in message.subject for message in mail.outbox)
    assert first.events.filter(for_applicant=True, action="approved").exists()


def test_group_concepts_get_one_number_per_year_they_run() -> None:
    theme = cf.se_theme()
    next_year = timezone.localdate().year + 1
    activity = cf.draft(form=Activity.Form.SGE, requested_approval="systematic", se_theme=theme)
    services.add_instance(activity=activity, data=cf.instance_data(first=date(next_year, 2, 3)))
    services.submit_activity(activity=activity, user=activity.created_by)
    services.approve_activity(
        activity=activity, decided_by=cf.consultant(), approval="systematic", scope="general", se_theme=theme
    )
    numbers = list(ActivityNumber.objects.filter(activity=activity).values_list("year", flat=True))
    years = sorted({i.starts_on.year for i in activity.instances.all()})
    assert numbers == years
    assert selectors.activity_number_for(activity=activity, year=years[-1]).startswith(f"{years[-1]}-")


def test_runs_can_only_be_added_before_a_decision() -> None:
    activity = cf.approved()
    with pytest.raises(services.CatalogueError):
        services.add_instance(activity=activity, data=cf.instance_data())


def test_systematic_approval_needs_a_theme_in_force() -> None:
    activity = cf.submitted(requested_approval="both")
    consultant = cf.consultant()
    with pytest.raises(services.CatalogueError, match="SE"):
        services.approve_activity(activity=activity, decided_by=consultant, approval="both", scope="general")
    old_theme = cf.se_theme(code="gammel", first_year=2015, last_year=2016)
    with pytest.raises(services.CatalogueError, match="gælder ikke"):
        services.approve_activity(
            activity=activity, decided_by=consultant, approval="both", scope="general", se_theme=old_theme
        )


def test_approved_days_per_run_are_stored_and_bounded() -> None:
    activity = cf.submitted(runs=2)
    first, second = activity.instances.order_by("starts_on")
    consultant = cf.consultant()
    with pytest.raises(services.CatalogueError):
        services.approve_activity(
            activity=activity,
            decided_by=consultant,
            approval="self_chosen",
            scope="general",
            approved_half_days={first.pk: 5},
        )
    services.approve_activity(
        activity=activity,
        decided_by=consultant,
        approval="self_chosen",
        scope="general",
        approved_half_days={first.pk: 3},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.approved_half_days, second.approved_half_days) == (3, 4)


def test_information_requests_pause_the_clock() -> None:
    activity = cf.submitted()
    Activity.objects.filter(pk=activity.pk).update(submitted_at=timezone.now() - timedelta(days=10))
    activity.refresh_from_db()
    services.request_information(activity=activity, consultant=cf.consultant(), question="Hvem underviser?")
    Activity.objects.filter(pk=activity.pk).update(paused_since=timezone.now() - timedelta(days=4))
    activity.refresh_from_db()
    assert selectors.waiting_days(activity=activity) == 6
    activity = services.answer_information(
        activity=activity, user=activity.created_by, answer="To praktiserende læger."
    )
    assert activity.status == Activity.Status.SUBMITTED
    assert activity.paused_days == 4
    assert selectors.waiting_days(activity=activity) == 6


def test_rejection_appeal_and_the_steering_group_overturning_it(
    django_capture_on_commit_callbacks: object,
) -> None:
    activity = cf.submitted()
    services.reject_activity(activity=activity, decided_by=cf.consultant(), reasons="For smalt emne.")
    with pytest.raises(services.CatalogueError):
        services.file_appeal(activity=activity, user=activity.created_by, reasons="  ")
    appeal = services.file_appeal(
        activity=activity, user=activity.created_by, reasons="Emnet er bredt relevant."
    )
    assert [a.activity for a in selectors.pending_appeals()] == [activity]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.decide_appeal(
            appeal=appeal, decided_by=cf.steering_member(), overturn=True, reasons="Relevant for alle."
        )
    activity.refresh_from_db()
    appeal.refresh_from_db()
    assert appeal.outcome == ApprovalAppeal.Outcome.OVERTURNED
    assert activity.status == Activity.Status.APPROVED and activity.number
    assert [d.kind for d in activity.decisions.order_by("version")] == ["reject", "approve"]
    assert activity.decisions.get(version=2).by_steering_group
    assert [message.to for message in mail.outbox] == [["kurser@example.org"]]


def test_the_steering_group_can_uphold_a_rejection() -> None:
    activity = cf.submitted()
    services.reject_activity(activity=activity, decided_by=cf.consultant(), reasons="Sponsoreret.")
    appeal = services.file_appeal(activity=activity, user=activity.created_by, reasons="Emnet er relevant.")
    services.decide_appeal(
        appeal=appeal, decided_by=cf.steering_member(), overturn=False, reasons="Sponsorat."
    )
    activity.refresh_from_db()
    assert activity.status == Activity.Status.REJECTED
    assert activity.events.filter(action="appeal_upheld", for_applicant=True).exists()
    with pytest.raises(services.CatalogueError):
        services.decide_appeal(appeal=appeal, decided_by=cf.steering_member(), overturn=True, reasons="x")
    with pytest.raises(services.CatalogueError, match="allerede"):
        services.file_appeal(activity=activity, user=activity.created_by, reasons="Igen.")


def test_approval_in_force_follows_changes_and_withdrawals_from_their_dates() -> None:
    activity = cf.approved(
        approval="both", theme=cf.se_theme(), requested_approval="both", se_theme=cf.se_theme()
    )
    start = activity.instances.get().starts_on
    member = cf.steering_member()
    services.change_approval(
        activity=activity,
        decided_by=member,
        approval="self_chosen",
        valid_from=start + timedelta(days=30),
        reasons="Kun selvvalgt.",
    )
    services.change_approval(
        activity=activity,
        decided_by=member,
        approval="none",
        valid_from=start + timedelta(days=60),
        reasons="Trukket tilbage.",
    )
    assert selectors.approval_in_force(activity=activity, on=start - timedelta(days=1)) == "none"
    assert selectors.approval_in_force(activity=activity, on=start) == "both"
    assert selectors.approval_in_force(activity=activity, on=start + timedelta(days=30)) == "self_chosen"
    assert selectors.approval_in_force(activity=activity, on=start + timedelta(days=90)) == "none"
    activity.refresh_from_db()
    assert activity.status == Activity.Status.APPROVED  # the withdrawal lies in the future


def test_a_withdrawal_from_today_takes_the_activity_out_of_the_catalogue() -> None:
    activity = cf.approved()
    services.change_approval(
        activity=activity,
        decided_by=cf.steering_member(),
        approval="none",
        valid_from=timezone.localdate(),
        reasons="Ikke relevant.",
    )
    activity.refresh_from_db()
    assert activity.status == Activity.Status.REVOKED
    assert not selectors.search_catalogue(filters=selectors.SearchFilters()).exists()


def ended(activity: Activity):  # noqa: ANN201
    instance = activity.instances.get()
    past = date.today() - timedelta(days=7)
    activity.instances.update(starts_on=past, ends_on=past)
    instance.refresh_from_db()
    return instance


def test_attendance_is_all_or_nothing_with_row_numbers_and_offers_a_claim() -> None:
    activity = cf.approved()
    instance = ended(activity)
    gp = factories.doctor()
    other = factories.doctor()
    with pytest.raises(services.CatalogueError) as error:
        services.report_attendance(
            instance=instance,
            user=activity.created_by,
            authorisation_ids=[gp.authorisation_id, "ZZZZZ", "", "bad!", gp.authorisation_id],
        )
    assert error.value.errors == [
        "Række 2: ingen læge har autorisations-ID'et ZZZZZ.",
        "Række 4: “BAD!” er ikke et autorisations-ID (5 bogstaver eller cifre).",
        f"Række 5: {gp.authorisation_id} står også i række 1.",
    ]
    assert not Attendance.objects.exists()
    services.report_attendance(
        instance=instance,
        user=activity.created_by,
        authorisation_ids=[gp.authorisation_id.lower(), other.authorisation_id],
    )
    assert [a.instance for a in claimable_attendances(doctor=gp)] == [instance]


def test_attendance_waits_until_the_run_has_ended() -> None:
    activity = cf.approved()
    with pytest.raises(services.CatalogueError, match="afsluttet"):
        services.report_attendance(
            instance=activity.instances.get(), user=activity.created_by, authorisation_ids=["T0001"]
        )


def test_csv_rows_keep_their_numbers_and_skip_a_header() -> None:
    assert services.read_attendance_csv(b"authorisation_id\nAB123\n\nCD456\n") == ["", "AB123", "", "CD456"]
    assert services.read_attendance_csv("\ufeffautorisations_id;navn\nAB123;Karen\n".encode()) == [
        "",
        "AB123",
    ]
    with pytest.raises(services.CatalogueError):
        services.read_attendance_csv(b"\xff\xfe")


def test_gp_individual_application_needs_justification_and_breadth_from_four_days() -> None:
    gp = factories.doctor()
    user = cf.gp_user(gp)
    activity = services.create_activity(
        user=user, data=cf.activity_data(), instances=[cf.instance_data(count=4)], applicant_doctor=gp
    )
    assert activity.scope == Activity.Scope.INDIVIDUAL
    with pytest.raises(services.CatalogueError, match="P-04"):
        services.submit_activity(activity=activity, user=user)
    Activity.objects.filter(pk=activity.pk).update(justification="Jeg har mange patienter med diabetes.")
    activity.refresh_from_db()
    with pytest.raises(services.CatalogueError, match="P-05"):
        services.submit_activity(activity=activity, user=user)
    Activity.objects.filter(pk=activity.pk).update(breadth_statement="Jeg tager også brede kurser.")
    activity.refresh_from_db()
    assert services.submit_activity(activity=activity, user=user).status == Activity.Status.SUBMITTED


def test_similar_activities_of_the_gp_from_the_last_five_years() -> None:
    gp = factories.doctor()
    earlier = cf.approved()
    instance = ended(earlier)
    services.report_attendance(
        instance=instance, user=earlier.created_by, authorisation_ids=[gp.authorisation_id]
    )
    cf.approved(topic=cf.topic("astma", "Astma"))
    assert selectors.similar_activities(doctor=gp, topic=cf.topic(), today=date.today()) == [earlier]
    assert selectors.similar_activities(doctor=gp, topic=cf.topic("astma", "Astma"), today=date.today()) == []


def test_breadth_and_similar_activities_follow_the_rules_parameters(
    rules_parameters: RulesParameters,
) -> None:
    rules_parameters({"individual_approval.breadth_from": 4, "individual_approval.similar_years": 1})
    gp = factories.doctor()
    user = cf.gp_user(gp)
    activity = services.create_activity(
        user=user, data=cf.activity_data(), instances=[cf.instance_data(count=2)], applicant_doctor=gp
    )
    Activity.objects.filter(pk=activity.pk).update(justification="Jeg har mange patienter med diabetes.")
    activity.refresh_from_db()
    with pytest.raises(services.CatalogueError, match="2 kursusdage"):
        services.submit_activity(activity=activity, user=user)
    earlier = cf.approved()
    services.report_attendance(
        instance=ended(earlier), user=earlier.created_by, authorisation_ids=[gp.authorisation_id]
    )
    two_years_on = date.today() + timedelta(days=2 * 365)
    assert selectors.similar_activities(doctor=gp, topic=cf.topic(), today=two_years_on) == []


def test_an_approval_appeal_needs_the_shortest_explanation_the_rules_set() -> None:
    activity = cf.submitted()
    services.reject_activity(activity=activity, decided_by=cf.consultant(), reasons="Mangler program.")
    with pytest.raises(services.CatalogueError, match="10"):
        services.file_appeal(activity=activity, user=activity.created_by, reasons="Forkert.")
    assert services.file_appeal(activity=activity, user=activity.created_by, reasons="Programmet er vedlagt.")


def test_provider_registration() -> None:
    user = factories.user(role="provider")
    provider = services.register_provider(user=user, name="LUF", kind="private", region=None, email="a@b.dk")
    user.refresh_from_db()
    assert user.provider == provider
    other = factories.user(role="provider")
    with pytest.raises(services.CatalogueError):
        services.register_provider(user=other, name="luf", kind="private", region=None, email="")


def test_runs_loaded_in_bulk_get_their_preview_from_the_command() -> None:
    from io import StringIO

    from django.core.management import call_command

    activity = cf.approved()
    activity.instances.update(claimable=None)
    out = StringIO()
    call_command("catalogue", "refresh-previews", stdout=out)
    assert "1" in out.getvalue()
    assert activity.instances.get().claimable["options"][0]["fee_ore"] == 800_000
