"""A trainee's training agreement opens the account and allocates its first periods (A-03)."""

from __future__ import annotations

from datetime import date

import pytest

from ajour.accounts import services
from ajour.accounts.models import Doctor
from ajour.accounts.selectors import doctor_balances
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_agreement_allocates_its_periods_once_with_the_yearly_run() -> None:
    trainee = factories.doctor(role=Doctor.Role.TRAINEE_PHASE2)

    services.register_training_agreement(
        doctor=trainee, starts_on=date(2025, 2, 1), ends_on=date(2026, 1, 31)
    )
    registered = doctor_balances(doctor=trainee).self_chosen_ore
    services.allocate_year(year=2025)

    assert registered == 2 * 200_000  # Feb and Aug periods
    assert doctor_balances(doctor=trainee).self_chosen_ore == registered


@pytest.mark.parametrize(
    ("role", "ends_on", "message"),
    [
        (Doctor.Role.GP_OWNER, date(2026, 1, 31), "Kun uddannelseslæger"),
        (Doctor.Role.TRAINEE_PHASE3, date(2024, 12, 31), "kan ikke slutte"),
    ],
)
def test_an_agreement_is_refused_in_plain_words(role: str, ends_on: date, message: str) -> None:
    doctor = factories.doctor(role=role)

    with pytest.raises(services.AccountError, match=message):
        services.register_training_agreement(doctor=doctor, starts_on=date(2025, 2, 1), ends_on=ends_on)

    assert not doctor.training_agreements.exists()
