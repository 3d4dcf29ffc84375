"""Allocation run, year-end close and at-risk notices: ledger entries only, idempotent."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from ajour.accounts import services
from ajour.accounts.models import (
    Account,
    Doctor,
    EmploymentConfirmation,
    LedgerEntry,
    Notice,
    TrainingAgreement,
)
from ajour.accounts.selectors import doctor_balances, practice_staff_balance
from ajour.catalogue.models import Activity
from tests import factories
from tests.claims import factories as cf

pytestmark = pytest.mark.django_db


def _balance(doctor: Doctor, kind: str) -> int:
    return sum(
        LedgerEntry.objects.filter(account__doctor=doctor, account__kind=kind).values_list(
            "amount", flat=True
        )
    )


def test_allocation_run_books_owners_confirmed_employed_trainees_and_clinics_once() -> None:
    owner = factories.doctor()
    employed = factories.doctor(role=Doctor.Role.GP_EMPLOYED)
    unconfirmed = factories.doctor(role=Doctor.Role.GP_EMPLOYED)
    EmploymentConfirmation.objects.create(doctor=employed, year=2025, status="confirmed", share_percent=50)
    EmploymentConfirmation.objects.create(doctor=unconfirmed, year=2025)
    phase2 = factories.doctor(role=Doctor.Role.TRAINEE_PHASE2)
    TrainingAgreement.objects.create(
        doctor=phase2, phase="trainee_phase2", starts_on=date(2025, 2, 1), ends_on=date(2026, 1, 31)
    )
    phase3 = factories.doctor(role=Doctor.Role.TRAINEE_PHASE3)
    TrainingAgreement.objects.create(
        doctor=phase3, phase="trainee_phase3", starts_on=date(2025, 3, 1), ends_on=date(2026, 2, 28)
    )

    first = services.allocate_year(year=2025)
    again = services.allocate_year(year=2025)

    assert first.booked > 0 and again.booked == 0
    assert doctor_balances(doctor=owner).self_chosen_ore == 2_140_000
    assert doctor_balances(doctor=owner).systematic_half_days == 6
    assert doctor_balances(doctor=employed).self_chosen_ore == 1_070_000
    assert doctor_balances(doctor=employed).systematic_half_days == 3
    assert not LedgerEntry.objects.filter(account__doctor=unconfirmed).exists()
    assert _balance(phase2, "self_chosen") == 2 * 200_000  # Feb and Aug periods
    assert _balance(phase3, "self_chosen") == 400_000
    assert practice_staff_balance(practice_id=owner.practice_id) == 600_000  # 2025: assumed 6,000 a year


def test_staff_account_is_5000_dkk_per_capacity_for_the_rest_of_2023_then_the_assumed_yearly_amount() -> None:
    assert services.staff_allocation(capacities=2, year=2023) == 1_000_000  # July–December 2023 (S42)
    assert services.staff_allocation(capacities=2, year=2024) == 1_200_000  # 6,000 a year, assumed
    assert services.staff_allocation(capacities=1, year=2022) == 0
    owner = factories.doctor()

    services.allocate_year(year=2023)

    assert practice_staff_balance(practice_id=owner.practice_id) == 500_000


def test_confirming_a_contract_allocates_at_once() -> None:
    employed = factories.doctor(role=Doctor.Role.GP_EMPLOYED)
    caseworker = factories.user(role="caseworker")
    confirmation = EmploymentConfirmation.objects.create(doctor=employed, year=2025)

    services.decide_employment(
        confirmation=confirmation, confirm=True, share_percent=100, note="", by=caseworker
    )
    services.allocate_year(year=2025)

    assert doctor_balances(doctor=employed, year=2025).allocated_self_chosen_ore == 2_140_000


def test_rejecting_needs_a_reason() -> None:
    confirmation = EmploymentConfirmation.objects.create(
        doctor=factories.doctor(role=Doctor.Role.GP_EMPLOYED), year=2025
    )
    with pytest.raises(services.AccountError):
        services.decide_employment(
            confirmation=confirmation,
            confirm=False,
            share_percent=100,
            note=" ",
            by=factories.user(role="caseworker"),
        )


def test_prorating_books_a_correction_with_the_reason() -> None:
    gp = factories.with_allocation(factories.doctor(), year=2025)
    caseworker = factories.user(role="caseworker")

    services.prorate_allocation(
        doctor=gp, year=2025, percent=50, reason="Works two days a week", by=caseworker
    )
    services.prorate_allocation(doctor=gp, year=2025, percent=75, reason="Now three days", by=caseworker)

    assert doctor_balances(doctor=gp).self_chosen_ore == 1_605_000
    with pytest.raises(services.AccountError):
        services.prorate_allocation(doctor=gp, year=2025, percent=50, reason="", by=caseworker)


def test_year_end_carries_one_years_allocation_and_forfeits_the_rest() -> None:
    gp = factories.with_allocation(factories.doctor(), year=2024, half_days=6)
    systematic = Account.objects.get(doctor=gp, kind="systematic")
    LedgerEntry.objects.create(
        account=systematic, kind="claim_draw", amount=-4, year=2024, effective_on=date(2024, 5, 1)
    )
    services.close_year(year=2024)  # 1 day left of 2024 carries into 2025
    factories.with_allocation(gp, year=2025, half_days=6)
    # FAQ: the 2025 account now holds 1 carried + 3 new days = 4 days; only 3 carry over.

    result = services.close_year(year=2025)
    again = services.close_year(year=2025)

    assert result.booked > 0 and again.booked == 0
    assert LedgerEntry.objects.get(account=systematic, kind="forfeit", year=2025).amount == -2
    assert LedgerEntry.objects.get(account=systematic, kind="carry_over", year=2026).amount == 6
    balances = doctor_balances(doctor=gp)
    assert balances.systematic_half_days == 6
    assert balances.self_chosen_ore == 2_140_000  # 42,800 merged, one year's allocation kept
    assert LedgerEntry.objects.filter(year__lte=2025).values("amount").count() > 0
    assert (
        sum(LedgerEntry.objects.filter(account=systematic, year=2025).values_list("amount", flat=True)) == 0
    )


def test_close_year_command_and_at_risk_notice(
    capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Any
) -> None:
    gp = cf.gp(year=2024, email="gp@example.invalid")
    factories.with_allocation(gp, year=2025)
    cf.activity(days=[date(2025, 11, 3)], title="Diabetes i praksis")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("catalogue", "notify-at-risk", "--year", "2025", "--on", "2025-10-01")
        call_command("catalogue", "notify-at-risk", "--year", "2025", "--on", "2025-10-01")

    notice = Notice.objects.get(doctor=gp, kind="at_risk")
    assert notice.data["self_chosen_ore"] == 2_140_000
    assert notice.data["courses"][0]["title"] == "Diabetes i praksis"
    assert len(mail.outbox) == 1
    assert "21.400,00" in mail.outbox[0].body and "Diabetes i praksis" in mail.outbox[0].body
    call_command("accounts", "close-year", "--year", "2025")
    assert "close-year 2025" in capsys.readouterr().out
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000


def test_at_risk_notices_suggest_only_courses_every_gp_may_claim(
    django_capture_on_commit_callbacks: Any,
) -> None:
    gp = factories.with_allocation(cf.gp(year=2024), year=2025)  # two years' money: one is at risk
    other = cf.gp(year=2025)
    cf.group_meeting(days=[date(2025, 11, 4)], members=[other], title="Gruppens eget møde")
    individual = cf.activity(days=[date(2025, 11, 5)], title="Én læges individuelle kursus")
    Activity.objects.filter(pk=individual.activity_id).update(
        scope=Activity.Scope.INDIVIDUAL, applicant_doctor=other
    )
    cf.activity(days=[date(2025, 11, 6)], title="Diabetes i praksis")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("catalogue", "notify-at-risk", "--year", "2025", "--on", "2025-10-01")

    titles = [course["title"] for course in Notice.objects.get(doctor=gp, kind="at_risk").data["courses"]]
    assert titles == ["Diabetes i praksis"]


def test_the_close_refuses_a_year_that_has_not_ended() -> None:
    gp = factories.with_allocation(factories.doctor(), year=2026)

    with translation.override("en"), pytest.raises(services.AccountError, match="2026 has not ended"):
        services.close_year(year=2026, today=date(2026, 12, 5))
    with pytest.raises(services.AccountError):
        services.close_year(year=2026, today=date(2026, 12, 31))

    assert not LedgerEntry.objects.filter(kind__in=["forfeit", "carry_over"]).exists()
    assert services.close_year(year=2026, today=date(2027, 1, 1)).booked > 0
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000


def test_the_close_command_refuses_the_running_year_in_plain_words(tmp_path: Path) -> None:
    year = timezone.localdate().year
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ajour.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'refused.sqlite3'}",
    }

    result = subprocess.run(
        [sys.executable, "-m", "ajour.cli", "accounts", "close-year", "--year", str(year)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode != 0
    assert f"{year} er ikke slut endnu. Året kan lukkes fra 1. januar {year + 1}." in result.stderr
    assert "Traceback" not in result.stderr


def test_reminder_for_unconfirmed_employed_gps(django_capture_on_commit_callbacks: Any) -> None:
    employed = factories.doctor(role=Doctor.Role.GP_EMPLOYED)
    employed.email = "ansat@example.invalid"
    employed.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_employment(year=2026) == 1
        assert services.remind_employment(year=2026) == 0
    assert "2026" in mail.outbox[0].subject
