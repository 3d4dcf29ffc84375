"""Settles the runs claimed more than once before one live claim per claimant and run was enforced (0004).

- A claim the rules engine rejected outright gets the status `rejected`, as new ones do: it holds no run.
- Where a GP (own claims) or a staff member (staff claims) holds a run with more than one live claim, the
  paid one (else the first filed) stays; the others are rejected. Their draws are given back by appended
  reversal entries and an audit note names the claim that stays. A second claim that was paid out as well
  keeps its draws (the money has left) and its note asks the secretariat to recover the payment. A pending
  appeal of a rejected duplicate is dismissed with the same note: the run is held by the claim that stays.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import Count, Sum
from django.utils import timezone

REASON = "Duplicate claim for the same activity: one live claim per claimant and run"


def settle_claims_filed_twice(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Claim = apps.get_model("claims", "Claim")
    AuditEvent = apps.get_model("claims", "AuditEvent")
    Appeal = apps.get_model("claims", "Appeal")
    PayoutItem = apps.get_model("claims", "PayoutItem")
    LedgerEntry = apps.get_model("accounts", "LedgerEntry")
    today = timezone.localdate()

    Claim.objects.filter(status="decided", outcome="rejected").update(status="rejected")
    live = Claim.objects.exclude(status="rejected").filter(instance__isnull=False)
    for holder, staff in (("claimant", False), ("staff_member", True)):
        held = live.filter(staff_member__isnull=not staff)
        twice = held.values(holder, "instance").annotate(n=Count("pk")).filter(n__gt=1)
        for row in twice:
            claims = list(held.filter(**{holder: row[holder], "instance": row["instance"]}))
            paid = set(PayoutItem.objects.filter(claim__in=claims).values_list("claim_id", flat=True))
            stays, *extra = sorted(claims, key=lambda claim: (claim.pk not in paid, claim.pk))
            for claim in extra:
                note = f"{REASON}; claim {stays.public_id} stays."
                if claim.pk in paid:
                    note += " This claim was paid out as well: recover the payment."
                else:
                    draws = LedgerEntry.objects.filter(claim=claim).values("account").annotate(net=Sum("amount"))
                    for draw in draws:
                        if draw["net"]:
                            LedgerEntry.objects.create(
                                account_id=draw["account"],
                                kind="reversal",
                                amount=-draw["net"],
                                year=today.year,
                                effective_on=today,
                                reason=REASON,
                                claim=claim,
                            )
                    claim.payable_ore = 0
                    claim.drawn_self_chosen_ore = claim.drawn_systematic_half_days = claim.drawn_staff_ore = 0
                claim.status = "rejected"
                claim.save()
                Appeal.objects.filter(claim=claim, outcome="pending").update(
                    previous_status="rejected", outcome="dismissed", decision_text=note, decided_at=timezone.now()
                )
                AuditEvent.objects.create(claim=claim, action="rejected", note=note)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_doctor_payout_iban_employmentconfirmation_decided_by_and_more"),
        ("claims", "0002_control_appeals_payouts"),
    ]

    operations = [migrations.RunPython(settle_claims_filed_twice, migrations.RunPython.noop)]
