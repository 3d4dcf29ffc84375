"""A claim stores its inputs, the decision, the rules version and reasons; draws live in the ledger."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ajour.core.bounds import TEXT_MAX, length_at_most


class ClaimStatus(models.TextChoices):
    DECIDED = "decided", _("Decided")
    CONTROL_REQUESTED = "control_requested", _("Receipts requested")
    CONTROL_SUBMITTED = "control_submitted", _("Receipts under review")
    APPROVED = "approved", _("Approved for payout")
    ADJUSTED = "adjusted", _("Adjusted by caseworker")
    REJECTED = "rejected", _("Rejected")
    APPEALED = "appealed", _("Appealed")
    PAID = "paid", _("Paid")


LIVE = ~Q(status=ClaimStatus.REJECTED)
"""A live claim holds its run: every claim but a rejected one (by the rules engine at submission, by a
caseworker, or on appeal). A claimant has at most one live claim per run, a staff member likewise."""


class Claim(models.Model):
    """A reimbursement claim after an approved activity, decided instantly by the rules engine."""

    Status = ClaimStatus

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
    request_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the API request body.")
    description = models.CharField(max_length=200, blank=True, help_text="Study material: what was bought.")
    control_draw = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The sample-control draw 0–9999 (HMAC of public_id with the year's seed).",
    )
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
        constraints = [
            models.UniqueConstraint(
                fields=["claimant", "instance"],
                condition=LIVE & Q(staff_member__isnull=True, instance__isnull=False),
                name="one_live_claim_per_gp_and_run",
            ),
            models.UniqueConstraint(
                fields=["staff_member", "instance"],
                condition=LIVE & Q(staff_member__isnull=False, instance__isnull=False),
                name="one_live_claim_per_staff_member_and_run",
            ),
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


class ControlPolicy(models.Model):
    """One year's sample-control policy: the share drawn, the amount above which all are checked, the seed.

    The seed is published after the year so that anyone can recompute every draw (R-CTRL-1).
    """

    year = models.PositiveSmallIntegerField(unique=True)
    share_basis_points = models.PositiveIntegerField(default=500, help_text="500 = 5 % of claims.")
    always_above_ore = models.BigIntegerField(
        default=3_000_000, help_text="Claims paying more are all checked."
    )
    seed = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = "control policies"

    def __str__(self) -> str:
        return f"Control policy {self.year}"


class Receipt(models.Model):
    """A receipt uploaded for sample control; stored outside the web root, served only through a view."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="receipts")
    file = models.FileField(upload_to="receipts/%Y/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class Appeal(models.Model):
    """A claimant's appeal of a decision to the steering group (R-APP-1)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting the steering group")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="appeals")
    text = models.TextField()
    previous_status = models.CharField(max_length=20)
    filed_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_payable_ore = models.BigIntegerField(null=True, blank=True)
    decision_text = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [length_at_most("text", TEXT_MAX), length_at_most("decision_text", TEXT_MAX)]

    def __str__(self) -> str:
        return f"Appeal of {self.claim}: {self.outcome}"


class PayoutBatch(models.Model):
    """One day's payouts: the pain.001 file and the CSV, kept so they can be re-issued byte for byte."""

    date = models.DateField(unique=True)
    created_at = models.DateTimeField()
    message_id = models.CharField(max_length=35, unique=True)
    transactions = models.PositiveIntegerField()
    total_ore = models.BigIntegerField()
    xml_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = "payout batches"

    def __str__(self) -> str:
        return f"Payouts {self.date}"


class PayoutItem(models.Model):
    """One claim in one batch; the one-to-one key makes paying a claim twice impossible."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="items")
    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="payout")
    amount_ore = models.BigIntegerField()
    creditor_name = models.CharField(max_length=140)
    creditor_iban = models.CharField(max_length=34)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.claim} in {self.batch}"
