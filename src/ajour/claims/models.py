"""A claim stores its inputs, the decision, the rules version and reasons; draws live in the ledger."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Claim(models.Model):
    """A reimbursement claim after an approved activity, decided instantly by the rules engine."""

    class Status(models.TextChoices):
        DECIDED = "decided", _("Decided")
        CONTROL_REQUESTED = "control_requested", _("Receipts requested")
        CONTROL_SUBMITTED = "control_submitted", _("Receipts under review")
        APPROVED = "approved", _("Approved for payout")
        ADJUSTED = "adjusted", _("Adjusted by caseworker")
        REJECTED = "rejected", _("Rejected")
        APPEALED = "appealed", _("Appealed")
        PAID = "paid", _("Paid")

    class Payee(models.TextChoices):
        PRIVATE = "private_account", _("Private account")
        PRACTICE = "practice_account", _("Practice account")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    claimant = models.ForeignKey("accounts.Doctor", on_delete=models.PROTECT, related_name="claims")
    practice = models.ForeignKey(
        "accounts.Practice", null=True, blank=True, on_delete=models.PROTECT, related_name="staff_claims"
    )
    staff_member = models.ForeignKey(
        "accounts.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    instance = models.ForeignKey(
        "catalogue.ActivityInstance", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    activity_type = models.CharField(max_length=20)
    activity_date = models.DateField()
    filed_on = models.DateField()
    inputs = models.JSONField(help_text="The ajour.claim/1 document the decision was made from.")
    decision = models.JSONField(help_text="The ajour.decision/1 document.")
    rules_version = models.CharField(max_length=40)
    outcome = models.CharField(max_length=10)
    payable_ore = models.BigIntegerField()
    drawn_self_chosen_ore = models.BigIntegerField(default=0)
    drawn_systematic_half_days = models.IntegerField(default=0)
    drawn_staff_ore = models.BigIntegerField(default=0)
    course_day_halves = models.IntegerField(
        default=0, help_text="Approved course days × 2 (a half day is 1)."
    )
    payee = models.CharField(max_length=20, choices=Payee.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DECIDED)
    idempotency_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["activity_date"]),
            models.Index(fields=["claimant", "activity_date"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"Claim {self.public_id}"


class AuditEvent(models.Model):
    """Who did what to a claim, when and why. Never holds CPR numbers or health data."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} on {self.claim}"
