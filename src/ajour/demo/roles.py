"""The demo roles offered on the front page when AJOUR_DEMO=1 (users are made by `ajour demo load`)."""

from django.utils.translation import gettext_lazy as _

# (slug, label) in the order shown on the front page; the user is named `demo-<slug>`.
DEMO_ROLES = [
    ("gp-owner", _("GP owner")),
    ("gp-employed", _("Employed GP")),
    ("trainee", _("Trainee (phase III)")),
    ("clinic", _("Clinic staff claimant")),
    ("provider", _("Course provider")),
    ("consultant", _("Medical consultant")),
    ("caseworker", _("Secretariat caseworker")),
    ("steering", _("Steering-group member")),
    ("counsellor", _("Regional CME counsellor")),
    ("analyst", _("Analyst")),
    ("admin", _("Administrator")),
]
DEMO_ROLE_SLUGS = {slug for slug, _label in DEMO_ROLES}


def demo_username(slug: str) -> str:
    return f"demo-{slug}"
