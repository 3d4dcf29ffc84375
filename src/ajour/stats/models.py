"""Roll-up tables: statistics read these, `refresh_rollups()` rebuilds them from claims and doctors.

Nothing here is typed in. Each table is a pure function of the records (README, measure definitions), so a
refresh can drop and rebuild any year at any time.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Form(models.TextChoices):
    """The four forms of subsidised CME (seed 1)."""

    SYSTEMATIC = "systematic", _("Systematic")
    SELF_CHOSEN = "self_chosen", _("Self-chosen")
    GROUP_BASED = "group_based", _("Group-based (DGE)")
    PRACTICE_STAFF = "practice_staff", _("Practice staff")


class CourseDayFact(models.Model):
    """Claims of one year summed per provider type × region × form × topic (not rejected only).

    `provider_kind` is empty for activities without a course provider (DGE meetings, individual
    approvals); `gp_claim` marks a GP's own CME; `produced` marks GP claims for provider activities,
    the seed's "produced course days".
    """

    year = models.PositiveSmallIntegerField()
    provider_kind = models.CharField(max_length=10, blank=True)
    region_code = models.CharField(max_length=50, blank=True)
    form = models.CharField(max_length=20, choices=Form.choices)
    topic = models.ForeignKey("catalogue.Topic", null=True, blank=True, on_delete=models.CASCADE)
    category = models.CharField(max_length=60, blank=True)
    gp_claim = models.BooleanField()
    produced = models.BooleanField()
    claims = models.PositiveIntegerField()
    course_day_halves = models.BigIntegerField()
    payable_ore = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["year", "provider_kind"])]

    def __str__(self) -> str:
        return f"{self.year} {self.provider_kind or '-'} {self.form}: {self.course_day_halves} half days"


class GpYearFact(models.Model):
    """One GP in one year: eligible or claiming (or both), with what the GP did."""

    year = models.PositiveSmallIntegerField()
    doctor = models.ForeignKey("accounts.Doctor", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=50, blank=True)
    practice_size = models.CharField(max_length=3, blank=True)
    sex = models.CharField(max_length=1)
    eligible = models.BooleanField()
    claims = models.PositiveIntegerField(default=0)
    claims_previous_year = models.PositiveIntegerField(default=0)
    course_day_halves = models.PositiveIntegerField(default=0)
    systematic_half_days = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "doctor"], name="one_gp_fact_per_year")]
        indexes = [models.Index(fields=["year", "region_code"])]

    def __str__(self) -> str:
        return f"GP {self.doctor_id} in {self.year}: {self.claims} claims"


class CellGpCount(models.Model):
    """Distinct GPs behind one cell of a published table, so that small cells can be suppressed.

    Distinct counts do not add up across finer cells, hence their own table: one row per year,
    provider type (`*` for all), region (`*` for all: a region's tables count the region's GPs),
    dimension (`form`, `region`, …) and key.
    """

    year = models.PositiveSmallIntegerField()
    provider_kind = models.CharField(max_length=10)
    region_code = models.CharField(max_length=50, default="*")
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=60)
    gps = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["year", "provider_kind", "region_code"])]

    def __str__(self) -> str:
        return f"{self.year} {self.region_code} {self.dimension}={self.key}: {self.gps} GPs"


class LedgerYearFact(models.Model):
    """Ledger entries summed per account year, account kind and entry kind (unused and forfeited money)."""

    year = models.PositiveSmallIntegerField()
    account_kind = models.CharField(max_length=12)
    entry_kind = models.CharField(max_length=12)
    amount = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.year} {self.account_kind} {self.entry_kind}: {self.amount}"


class RollupState(models.Model):
    """What the roll-ups were built from, so that commands can tell when claims came in since."""

    claims_count = models.PositiveIntegerField()
    claims_max_pk = models.PositiveBigIntegerField()
    ledger_max_pk = models.PositiveBigIntegerField()
    refreshed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Roll-ups of {self.claims_count} claims, {self.refreshed_at:%Y-%m-%d %H:%M}"
