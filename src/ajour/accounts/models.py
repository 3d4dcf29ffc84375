"""People, practices and accounts. Balances are never stored: they are sums of ledger entries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from ajour.core.bounds import TEXT_MAX, length_at_most


class Region(models.Model):
    """One of the five Danish regions."""

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=60)

    def __str__(self) -> str:
        return self.name


class Practice(models.Model):
    """A clinic with a provider number (ydernummer); holds the clinic staff account."""

    class Form(models.TextChoices):
        SINGLE = "single", _("Single-handed practice")
        PARTNERSHIP = "partnership", _("Partnership practice")
        REGIONAL = "regional_clinic", _("Regional or tendered clinic")

    provider_number = models.CharField(max_length=6, unique=True)
    name = models.CharField(max_length=120)
    town = models.CharField(max_length=60)
    postcode = models.CharField(max_length=4)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="practices")
    form = models.CharField(max_length=20, choices=Form.choices)
    doctor_capacities = models.PositiveSmallIntegerField(default=1)
    cluster = models.ForeignKey(
        "groups.Cluster", null=True, blank=True, on_delete=models.SET_NULL, related_name="practices"
    )
    payout_iban = models.CharField(max_length=34, blank=True, help_text="The practice account for payouts.")

    def __str__(self) -> str:
        return f"{self.name} ({self.town})"


class Doctor(models.Model):
    """A GP or trainee who can hold a personal CME account.

    `cpr` is kept for matching the MitID login only; it is never shown, logged or exported.
    Demo CPR numbers use month 21-32, which no real CPR number has (README, "Demo data").
    """

    class Role(models.TextChoices):
        GP_OWNER = "gp_owner", _("GP owner")
        GP_EMPLOYED = "gp_employed", _("Employed GP")
        TRAINEE_PHASE2 = "trainee_phase2", _("Trainee, phase II")
        TRAINEE_PHASE3 = "trainee_phase3", _("Trainee, phase III")

    class Sex(models.TextChoices):
        FEMALE = "f", _("Female")
        MALE = "m", _("Male")

    cpr = models.CharField(max_length=10, unique=True)
    authorisation_id = models.CharField(max_length=5, unique=True)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField()
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.PROTECT, related_name="doctors"
    )
    active_from = models.DateField()
    active_to = models.DateField(null=True, blank=True)
    payout_iban = models.CharField(max_length=34, blank=True, help_text="The private account for payouts.")

    class Meta:
        indexes = [models.Index(fields=["role"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_trainee(self) -> bool:
        return self.role in {self.Role.TRAINEE_PHASE2, self.Role.TRAINEE_PHASE3}

    @property
    def language(self) -> str:
        """The language the GP chose on their login; Danish for a doctor who has not logged in."""
        try:
            return self.user.language
        except ObjectDoesNotExist:
            return settings.LANGUAGE_CODE


class EmploymentConfirmation(models.Model):
    """An employed GP's contract or confirmation for one year; without it there is no allocation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="confirmations")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    document = models.FileField(upload_to="contracts/", blank=True)
    share_percent = models.PositiveSmallIntegerField(default=100)
    note = models.TextField(blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doctor", "year"], name="one_confirmation_per_year"),
            length_at_most("note", TEXT_MAX),
        ]

    def __str__(self) -> str:
        return f"{self.doctor} {self.year}: {self.status}"


class StaffMember(models.Model):
    """A clinic employee whose CME the practice's doctor claims from the staff account."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(max_length=120)
    profession = models.CharField(max_length=40)
    weekly_hours = models.PositiveSmallIntegerField()
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A login. What it may see follows from its role and the object it is linked to."""

    class Role(models.TextChoices):
        GP = "gp", _("GP or trainee")
        CLINIC = "clinic", _("Clinic staff claimant")
        PROVIDER = "provider", _("Course provider")
        CONSULTANT = "consultant", _("Medical consultant")
        CASEWORKER = "caseworker", _("Secretariat caseworker")
        STEERING = "steering", _("Steering-group member")
        COUNSELLOR = "counsellor", _("Regional CME counsellor")
        ANALYST = "analyst", _("Analyst")
        ADMIN = "admin", _("Administrator")

    class Language(models.TextChoices):
        """Named in their own language, as the header's switch shows them."""

        DANISH = "da", "Dansk"
        ENGLISH = "en", "English"

    role = models.CharField(max_length=20, choices=Role.choices)
    doctor = models.OneToOneField(
        Doctor, null=True, blank=True, on_delete=models.PROTECT, related_name="user"
    )
    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    provider = models.ForeignKey(
        "catalogue.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    language = models.CharField(
        max_length=2,
        choices=Language.choices,
        default=Language.DANISH,
        help_text=_("The language of the portal and of the e-mails Ajour sends this login."),
    )


class Account(models.Model):
    """A sub-account: a doctor's self-chosen (øre) or systematic (half days), or a clinic's staff (øre)."""

    class Kind(models.TextChoices):
        SELF_CHOSEN = "self_chosen", _("Self-chosen")
        SYSTEMATIC = "systematic", _("Systematic")
        STAFF = "staff", _("Clinic staff")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    doctor = models.ForeignKey(
        Doctor, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doctor", "kind"], name="one_account_per_doctor_and_kind"),
            models.UniqueConstraint(fields=["practice", "kind"], name="one_account_per_practice_and_kind"),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        doctor__isnull=False, practice__isnull=True, kind__in=["self_chosen", "systematic"]
                    )
                )
                | models.Q(doctor__isnull=True, practice__isnull=False, kind="staff"),
                name="account_has_exactly_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} account of {self.doctor or self.practice}"

    @property
    def unit(self) -> str:
        """Systematic accounts count half days so that days stay integers."""
        return "half_days" if self.kind == self.Kind.SYSTEMATIC else "ore"


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a ledger entry."""


class LedgerEntry(models.Model):
    """One balance change. Entries are only ever added; a mistake is undone by a reversal entry."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Allocation")
        CLAIM_DRAW = "claim_draw", _("Claim")
        REVERSAL = "reversal", _("Reversal")
        CARRY_OVER = "carry_over", _("Carry-over")
        FORFEIT = "forfeit", _("Forfeited at year end")
        CORRECTION = "correction", _("Manual correction")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.BigIntegerField(help_text="Øre, or half days on a systematic account; negative draws.")
    year = models.PositiveSmallIntegerField(help_text="The account year the entry belongs to.")
    effective_on = models.DateField()
    booked_at = models.DateTimeField(auto_now_add=True)
    claim = models.ForeignKey(
        "claims.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=120, unique=True, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "year"]), models.Index(fields=["kind", "year"])]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.year})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Ledger entries cannot be changed; book a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Ledger entries cannot be deleted; book a reversal instead.")


class TrainingAgreement(models.Model):
    """A trainee's training agreement: the proof that opens the account and sets the allocation periods."""

    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="training_agreements")
    phase = models.CharField(
        max_length=20,
        choices=[
            (Doctor.Role.TRAINEE_PHASE2, Doctor.Role.TRAINEE_PHASE2.label),
            (Doctor.Role.TRAINEE_PHASE3, Doctor.Role.TRAINEE_PHASE3.label),
        ],
    )
    starts_on = models.DateField()
    ends_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.doctor} {self.phase} {self.starts_on}–{self.ends_on}"


class Notice(models.Model):
    """A message shown on a doctor's page and e-mailed: money at risk at year end, contract reminders."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", _("Money at risk at year end")
        CONFIRMATION_REMINDER = "confirmation_reminder", _("Confirm your employment")

    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    period = models.CharField(max_length=10, help_text="Which round in the year, e.g. the month.")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doctor", "kind", "year", "period"], name="one_notice_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}/{self.period} to {self.doctor}"


class ApiToken(models.Model):
    """A clinic system's key to the API on behalf of one user; only a hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
