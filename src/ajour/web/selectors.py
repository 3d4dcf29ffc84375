"""What the front page and each role's home page show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ajour.accounts.models import Doctor, Practice, User
from ajour.accounts.selectors import doctor_balances, latest_notices, practice_staff_balance
from ajour.catalogue.models import Activity
from ajour.catalogue.selectors import (
    QueueFilters,
    activities_for_doctor,
    activities_for_provider,
    applicant_notifications,
    pending_appeals,
    review_queue,
)
from ajour.claims.models import Claim
from ajour.claims.selectors import (
    caseworker_queue,
    claim_appeals_queue,
    claimable_attendances,
    claims_for_doctor,
    staff_claims_for_practice,
)
from ajour.demo.roles import demo_username
from ajour.groups.selectors import groups_in_region


@dataclass
class HomePage:
    template: str
    context: dict[str, object] = field(default_factory=dict)


def demo_user(slug: str) -> User | None:
    return User.objects.filter(username=demo_username(slug), is_active=True).first()


def front_page_facts() -> dict[str, int]:
    return {
        "doctors": Doctor.objects.filter(role__in=[Doctor.Role.GP_OWNER, Doctor.Role.GP_EMPLOYED]).count(),
        "practices": Practice.objects.count(),
        "activities": Activity.objects.filter(status=Activity.Status.APPROVED).count(),
    }


def home_page(*, user: User) -> HomePage:
    """Dispatches to the role's own home page."""
    builder = _HOME_BUILDERS.get(User.Role(user.role), _admin_home)
    return builder(user)


def _gp_home(user: User) -> HomePage:
    doctor = user.doctor
    if doctor is None:
        return HomePage("web/home_unlinked.html")
    year = date.today().year
    return HomePage(
        "web/home_gp.html",
        {
            "doctor": doctor,
            "practice": doctor.practice,
            "region": doctor.practice.region if doctor.practice else None,
            "year": year,
            "balances": doctor_balances(doctor=doctor, year=year),
            "claims": claims_for_doctor(doctor=doctor),
            "notices": latest_notices(doctor=doctor, year=year),
            "confirmation_pending": doctor.confirmations.filter(status="pending").exists(),
            "ready_to_claim": claimable_attendances(doctor=doctor),
            "applications": activities_for_doctor(doctor=doctor),
        },
    )


def _clinic_home(user: User) -> HomePage:
    practice = user.practice
    if practice is None:
        return HomePage("web/home_unlinked.html")
    return HomePage(
        "web/home_clinic.html",
        {
            "practice": practice,
            "staff": practice.staff.filter(active=True).order_by("name"),
            "staff_balance_ore": practice_staff_balance(practice_id=practice.pk),
            "claims": staff_claims_for_practice(practice_id=practice.pk),
        },
    )


def _provider_home(user: User) -> HomePage:
    if user.provider is None:
        return HomePage("web/home_provider.html", {"provider": None})
    return HomePage(
        "web/home_provider.html",
        {
            "provider": user.provider,
            "activities": activities_for_provider(provider_id=user.provider.pk),
            "notifications": applicant_notifications(provider_id=user.provider.pk),
        },
    )


def _consultant_home(user: User) -> HomePage:
    return HomePage("web/home_consultant.html", {"rows": review_queue(filters=QueueFilters(), limit=50)})


def _caseworker_home(user: User) -> HomePage:
    return HomePage("web/home_caseworker.html", {"queue": caseworker_queue()})


def _steering_home(user: User) -> HomePage:
    return HomePage(
        "web/home_steering.html",
        {"claim_appeals": claim_appeals_queue(), "activity_appeals": pending_appeals()},
    )


def _counsellor_home(user: User) -> HomePage:
    if user.region is None:
        return HomePage("web/home_unlinked.html")
    return HomePage(
        "web/home_counsellor.html",
        {"region": user.region, "groups": groups_in_region(region_id=user.region.pk)},
    )


def _analyst_home(user: User) -> HomePage:
    year = date.today().year
    return HomePage(
        "web/home_analyst.html",
        {"year": year, "claims_this_year": Claim.objects.filter(activity_date__year=year).count()},
    )


def _admin_home(user: User) -> HomePage:
    return HomePage(
        "web/home_admin.html",
        {
            "counts": {
                "users": User.objects.count(),
                "doctors": Doctor.objects.count(),
                "practices": Practice.objects.count(),
                "claims": Claim.objects.count(),
                "activities": Activity.objects.count(),
            }
        },
    )


_HOME_BUILDERS = {
    User.Role.GP: _gp_home,
    User.Role.CLINIC: _clinic_home,
    User.Role.PROVIDER: _provider_home,
    User.Role.CONSULTANT: _consultant_home,
    User.Role.CASEWORKER: _caseworker_home,
    User.Role.STEERING: _steering_home,
    User.Role.COUNSELLOR: _counsellor_home,
    User.Role.ANALYST: _analyst_home,
    User.Role.ADMIN: _admin_home,
}
