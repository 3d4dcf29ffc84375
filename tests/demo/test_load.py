"""`ajour demo load --scale small`: shape, demo users, engine-consistent claims, ledger, determinism."""

from __future__ import annotations

import hashlib
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from ajour.accounts.models import Account, Doctor, LedgerEntry, Practice, Region, User
from ajour.accounts.services import (
    YearPosition,
    allocate_year,
    allocation_parameter,
    close_year,
    staff_allocation,
    year_positions,
)
from ajour.catalogue.models import Activity, SeTheme, Topic
from ajour.claims.models import AuditEvent, Claim
from ajour.claims.payload import STUDY_MATERIAL_ID
from ajour.demo.roles import DEMO_ROLES, demo_username
from ajour.demo.services import _wipe
from ajour.groups.models import Cluster, DgeGroup
from ajour.rules import decide_payload
from ajour.rules.days import course_day_halves

TODAY = "2026-06-15"


def load(*flags: str) -> str:
    out = StringIO()
    call_command("demo", "load", "--scale", "small", "--seed", "7", "--today", TODAY, *flags, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    with django_db_blocker.unblock():
        output = load()
        yield output
        with transaction.atomic():
            _wipe()


def checksum() -> str:
    digest = hashlib.sha256()
    for row in Doctor.objects.order_by("pk").values_list(
        "cpr", "first_name", "last_name", "role", "active_from", "active_to", "practice__provider_number"
    ):
        digest.update(repr(row).encode())
    for row in Claim.objects.order_by("pk").values_list(
        "public_id",
        "claimant__cpr",
        "activity_date",
        "filed_on",
        "payable_ore",
        "outcome",
        "instance__activity__number",
    ):
        digest.update(repr(row).encode())
    for row in LedgerEntry.objects.order_by("pk").values_list(
        "account__doctor__cpr", "kind", "amount", "year"
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


pytestmark = pytest.mark.django_db


def test_load_prints_progress_and_time(demo: str) -> None:
    assert "Population:" in demo
    assert "Loaded demo data (seed 7, small) in" in demo


def test_population_has_the_national_shape_at_five_percent(demo: str) -> None:
    assert sorted(Region.objects.values_list("code", flat=True)) == [
        "hovedstaden",
        "midtjylland",
        "nordjylland",
        "sjaelland",
        "syddanmark",
    ]
    gps = Doctor.objects.filter(role__in=[Doctor.Role.GP_OWNER, Doctor.Role.GP_EMPLOYED])
    in_2024 = gps.filter(active_from__lte="2024-12-31").exclude(active_to__lt="2024-01-01")
    assert in_2024.count() == 174  # 5 % of 3,486
    assert in_2024.filter(role=Doctor.Role.GP_OWNER).count() > in_2024.count() / 2
    assert Doctor.objects.filter(role=Doctor.Role.TRAINEE_PHASE3).exists()
    assert 95 <= Practice.objects.count() <= 105
    assert Cluster.objects.count() == 6
    assert DgeGroup.objects.filter(region__code="midtjylland").count() == 7
    assert SeTheme.objects.filter(first_year__lte=2024).count() == 19
    assert Topic.objects.get(code="adhd").parent.code == "psychiatry"
    assert Activity.objects.filter(status=Activity.Status.SUBMITTED).exists()


def test_every_demo_role_has_its_user_and_link(demo: str) -> None:
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    assert set(users) == {demo_username(slug) for slug, _label in DEMO_ROLES}
    assert not any(u.has_usable_password() for u in users.values())
    assert users["demo-gp-owner"].doctor.role == Doctor.Role.GP_OWNER
    assert users["demo-gp-employed"].doctor.role == Doctor.Role.GP_EMPLOYED
    assert users["demo-trainee"].doctor.role == Doctor.Role.TRAINEE_PHASE3
    assert users["demo-clinic"].practice.form == Practice.Form.PARTNERSHIP
    assert users["demo-clinic"].practice.staff.exists()
    assert users["demo-provider"].provider.kind == "plo_e"
    assert users["demo-counsellor"].region.code == "midtjylland"
    assert users["demo-admin"].is_superuser and users["demo-admin"].is_staff
    owner = users["demo-gp-owner"].doctor
    assert Claim.objects.filter(claimant=owner, activity_date__year=2026).exists()


def test_every_claim_is_stored_as_the_claims_service_stores_it(demo: str) -> None:
    submitted = set(AuditEvent.objects.filter(action="submitted").values_list("claim_id", flat=True))
    drawn = dict(
        LedgerEntry.objects.filter(claim__isnull=False)
        .values("claim_id")
        .annotate(total=Sum("amount"))
        .values_list("claim_id", "total")
    )
    claims = Claim.objects.all()
    assert claims.count() > 5000
    for claim in claims.iterator():
        assert decide_payload(claim.inputs, lang="da") == claim.decision
        assert claim.payable_ore == claim.decision["payable_ore"]
        draws = claim.drawn_self_chosen_ore + claim.drawn_systematic_half_days + claim.drawn_staff_ore
        assert -drawn.get(claim.pk, 0) == draws
        halves = course_day_halves(day["class"] for day in claim.decision["days"])
        assert claim.course_day_halves == (0 if claim.outcome == "rejected" else halves)
        assert claim.pk in submitted
        if claim.activity_type == "study_material":
            assert claim.inputs["activity"]["id"] == STUDY_MATERIAL_ID
        if claim.staff_member_id is not None:
            assert claim.inputs["account"] == "self_chosen"


def test_rerunning_the_products_yearly_runs_books_nothing(demo: str) -> None:
    today = date.fromisoformat(TODAY)
    for year in range(2019, today.year + 1):
        assert allocate_year(year=year).booked == 0, year
    for year in range(2019, today.year):
        assert close_year(year=year, today=today).booked == 0, year


def test_allocations_are_the_products_amounts(demo: str) -> None:
    allocations = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.ALLOCATION)
    owners = allocations.filter(
        account__kind=Account.Kind.SELF_CHOSEN, account__doctor__role=Doctor.Role.GP_OWNER
    )
    for year, amount in owners.values_list("year", "amount").distinct():
        assert amount == allocation_parameter("allocation.gp_owner", date(year, 1, 1)), year
    staff = allocations.filter(account__kind=Account.Kind.STAFF)
    assert staff.exists()
    for year, capacities, amount in staff.values_list(
        "year", "account__practice__doctor_capacities", "amount"
    ):
        assert amount == staff_allocation(capacities=capacities, year=year), year


def test_year_ends_carry_over_and_forfeit_what_the_products_close_does(demo: str) -> None:
    for year in range(2019, date.fromisoformat(TODAY).year):
        closing = LedgerEntry.objects.filter(idempotency_key__startswith=f"close:{year}:")
        booked = {
            key.rsplit(":", 1)[1] + f":{account}": amount
            for key, account, amount in closing.values_list("idempotency_key", "account_id", "amount")
        }
        before = dict(
            LedgerEntry.objects.filter(year__lte=year)
            .exclude(idempotency_key__startswith=f"close:{year}:")
            .values("account_id")
            .annotate(total=Sum("amount"))
            .values_list("account_id", "total")
        )
        first_close = closing.order_by("pk").values_list("pk", flat=True).first() or 0
        held_then = dict(  # what each account held when the close ran, later years' entries included
            LedgerEntry.objects.filter(pk__lt=first_close)
            .values("account_id")
            .annotate(total=Sum("amount"))
            .values_list("account_id", "total")
        )
        expected = {}
        for after in year_positions(year=year):
            position = YearPosition(
                after.account_id,
                before.get(after.account_id, 0),
                after.cap,
                held_then.get(after.account_id, 0),
            )
            if position.forfeited:
                expected[f"forfeit:{after.account_id}"] = -position.forfeited
            if position.carried:
                expected[f"out:{after.account_id}"] = -position.carried
                expected[f"in:{after.account_id}"] = position.carried
        assert booked == expected, year


def test_no_account_goes_negative(demo: str) -> None:
    negative = LedgerEntry.objects.values("account").annotate(total=Sum("amount")).filter(total__lt=0)
    assert not negative.exists()


def test_cpr_numbers_are_impossible(demo: str) -> None:
    months = {int(cpr[2:4]) for cpr in Doctor.objects.values_list("cpr", flat=True)}
    assert months <= set(range(21, 33))
    assert Doctor.objects.values("authorisation_id").annotate(n=Count("id")).filter(n__gt=1).count() == 0


def test_if_empty_keeps_the_data_and_a_plain_load_refuses(demo: str) -> None:
    before = Claim.objects.count()
    assert "already loaded" in load("--if-empty")
    assert Claim.objects.count() == before
    with pytest.raises(CommandError, match="--replace"):
        load()


def test_the_same_seed_gives_the_same_data(demo: str) -> None:
    first = checksum()
    load("--replace")
    assert checksum() == first


def test_applications_in_review_carry_their_pre_check_findings(demo: str) -> None:
    waiting = Activity.objects.filter(status=Activity.Status.SUBMITTED)
    assert waiting.exists()
    assert all(activity.instances.filter(claimable__isnull=False).exists() for activity in waiting)
    codes = {finding["code"] for activity in waiting for finding in activity.prechecks}
    assert {"missing_field", "industry_influence"} <= codes
    assert any(activity.prechecks == [] for activity in waiting)
