"""A scenario: a reform run on the records, saved with who ran it, when, on which data, and its results."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    CLAIM = "claim", _("Per claim")
    ACCOUNT = "account", _("Per account")


class Scenario(models.Model):
    """One simulation run. Shared by its link (the random public id); the results are cached here, so
    opening it again reads nothing else."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reform = models.JSONField(help_text="The ajour.reform/1 document that was run.")
    reform_name = models.CharField(max_length=60)
    reform_version = models.PositiveIntegerField()
    rules_version = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField(help_text="The year the activities were held.")
    mode = models.CharField(max_length=10, choices=Mode.choices)
    snapshot = models.JSONField(
        help_text="The data the run read: claims and ledger entries (count, highest id, sum)."
    )
    results = models.JSONField(help_text="The ajour.simulation/1 figures.")
    claim_rows = models.JSONField(help_text="One row per claim of the year, for the drill-down lists.")
    seconds = models.FloatField(help_text="How long the run took.")

    class Meta:
        indexes = [models.Index(fields=["-created_at"])]

    def __str__(self) -> str:
        return f"{self.reform_name} v{self.reform_version} {self.year} ({self.mode})"
