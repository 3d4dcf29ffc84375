"""Headline measures computed from Ajour's own records (definitions in the README)."""

from __future__ import annotations

from dataclasses import dataclass

from ajour.accounts.models import Doctor
from ajour.claims.models import Claim

GP_ROLES = [Doctor.Role.GP_OWNER, Doctor.Role.GP_EMPLOYED]


@dataclass(frozen=True)
class Participation:
    year: int
    eligible_gps: int
    gps_with_claims: int

    @property
    def percent(self) -> float:
        """For display only: counts stay integers, the share is rounded when shown."""
        return 100 * self.gps_with_claims / self.eligible_gps if self.eligible_gps else 0.0


def participation(*, year: int) -> Participation:
    """GPs holding an account in `year`, and those with a paid claim for an activity held that year."""
    eligible = Doctor.objects.filter(role__in=GP_ROLES, active_from__year__lte=year).exclude(
        active_to__year__lt=year
    )
    claiming = (
        Claim.objects.filter(activity_date__year=year, payable_ore__gt=0, claimant__role__in=GP_ROLES)
        .values("claimant")
        .distinct()
    )
    return Participation(year=year, eligible_gps=eligible.count(), gps_with_claims=claiming.count())
