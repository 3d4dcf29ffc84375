"""Outreach to GPs whose money is at risk at the coming year end (October and December): how much, and
which approved courses near them still have seats. It sits in the catalogue because it joins both halves:
the ledger's year-end positions (accounts) and the courses on offer."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from ajour.accounts.models import Account, Notice
from ajour.accounts.services import year_positions
from ajour.catalogue.selectors import courses_with_seats
from ajour.core.mail import compose, send_after_commit


@transaction.atomic
def notify_at_risk(*, year: int, on: date | None = None) -> int:
    """Tells every GP with money at risk at the coming year end how much, and which courses near them
    still have seats; shown on their page and e-mailed. One notice per doctor per month."""
    on = on or timezone.localdate()
    accounts = {
        a.pk: a
        for a in Account.objects.filter(doctor__isnull=False).select_related(
            "doctor__practice", "doctor__user"
        )
    }
    at_risk: dict[int, dict[str, int]] = {}
    for position in year_positions(year=year):
        account = accounts.get(position.account_id)
        if account is None or account.doctor_id is None or not position.forfeited:
            continue
        at_risk.setdefault(account.doctor_id, {})[account.kind] = position.forfeited
    doctors = {a.doctor.pk: a.doctor for a in accounts.values() if a.doctor is not None}
    courses_by_region: dict[int | None, list[dict[str, str]]] = {}
    mails = []
    for doctor_id, amounts in sorted(at_risk.items()):
        doctor = doctors[doctor_id]
        region_id = doctor.practice.region_id if doctor.practice else None
        if region_id not in courses_by_region:
            courses_by_region[region_id] = courses_with_seats(
                region_id=region_id, start=on, end=date(year, 12, 31)
            )
        data = {
            "self_chosen_ore": amounts.get(Account.Kind.SELF_CHOSEN, 0),
            "systematic_half_days": amounts.get(Account.Kind.SYSTEMATIC, 0),
            "courses": courses_by_region[region_id],
            "on": on.isoformat(),
        }
        _notice, created = Notice.objects.get_or_create(
            doctor=doctor,
            kind=Notice.Kind.AT_RISK,
            year=year,
            period=f"{on.month:02d}",
            defaults={"data": data},
        )
        if created:
            mails.append(
                compose(doctor, "accounts/email/at_risk.txt", {"doctor": doctor, "year": year, **data})
            )
    send_after_commit(mails)
    return sum(mail is not None for mail in mails)
