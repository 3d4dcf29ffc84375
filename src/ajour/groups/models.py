"""DGE groups (local CME groups with a leader and a yearly plan) and quality clusters."""

from django.db import models


class Cluster(models.Model):
    """A quality cluster (klynge): GPs doing data-driven quality work. Separate from CME money."""

    name = models.CharField(max_length=120)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="clusters")
    group1_patients = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class DgeGroup(models.Model):
    """A DGE group, approved by a regional CME counsellor; its members claim meeting fees."""

    name = models.CharField(max_length=120)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="dge_groups")
    leader = models.ForeignKey("accounts.Doctor", on_delete=models.PROTECT, related_name="led_groups")
    members = models.ManyToManyField("accounts.Doctor", related_name="dge_groups")
    founded_year = models.PositiveSmallIntegerField()
    yearly_grant_ore = models.BigIntegerField(default=1_000_000)

    def __str__(self) -> str:
        return self.name
