"""The claim workflow table and the services agree: every declared transition is reachable through its
service, every undeclared one is refused and leaves the claim as it was; the claim page offers what the
table allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ajour.accounts.models import User
from ajour.claims import payouts, services
from ajour.claims.models import Appeal, Claim, ControlPolicy
from ajour.claims.workflow import CLAIM_APPEALS, CLAIMS
from tests import factories, pdfs
from tests.claims import factories as f

pytestmark = pytest.mark.django_db

S = Claim.Status
FILED = date(2025, 3, 10)
PDF = pdfs.plain()
APPEAL_TEXT = "The course fee was higher than decided."


def _user(role: str) -> User:
    return User.objects.filter(role=role).first() or factories.user(role=role)


def _claim_in(status: str) -> Claim:
    """A claim brought to `status` through the services, as users do."""
    controlled = status in (S.CONTROL_REQUESTED, S.CONTROL_SUBMITTED)
    ControlPolicy.objects.update_or_create(
        year=2025,
        defaults={"share_basis_points": 10_000 if controlled else 0, "always_above_ore": 10**12, "seed": "s"},
    )
    instance = f.activity(days=[date(2025, 3, 6)])
    claim = services.submit_claim(
        claimant=f.gp(year=2025), request=f.request_for(instance), filed_on=FILED, by=None
    ).claim
    caseworker = _user(User.Role.CASEWORKER)
    if status == S.CONTROL_SUBMITTED:
        services.upload_receipt(
            claim=claim, upload=SimpleUploadedFile("r.pdf", PDF), by=f.login_of(claim.claimant)
        )
    elif status == S.APPROVED:
        services.approve_claim(claim=claim, by=caseworker)
    elif status == S.ADJUSTED:
        services.adjust_claim(claim=claim, payable_ore=500_000, reason="Receipt shows less", by=caseworker)
    elif status == S.REJECTED:
        services.reject_claim(claim=claim, reason="No receipts", by=caseworker)
    elif status == S.APPEALED:
        services.file_appeal(claim=claim, text=APPEAL_TEXT, by=f.login_of(claim.claimant))
    elif status == S.PAID:
        payouts.run_payouts(on=FILED)
    claim.refresh_from_db()
    assert claim.status == status
    return claim


def _pending_appeal(claim: Claim) -> Appeal:
    return claim.appeals.get(outcome=Appeal.Outcome.PENDING)


ACTIONS: dict[str, Callable[[Claim, str], object]] = {
    "upload_receipt": lambda claim, _target: services.upload_receipt(
        claim=claim, upload=SimpleUploadedFile("r.pdf", PDF), by=f.login_of(claim.claimant)
    ),
    "approve": lambda claim, _target: services.approve_claim(claim=claim, by=_user(User.Role.CASEWORKER)),
    "adjust": lambda claim, target: services.adjust_claim(
        claim=claim,
        payable_ore=300_000 if target == S.ADJUSTED else 0,
        reason="Correction",
        by=_user(User.Role.CASEWORKER),
    ),
    "reject": lambda claim, _target: services.reject_claim(
        claim=claim, reason="No receipts", by=_user(User.Role.CASEWORKER)
    ),
    "appeal": lambda claim, _target: services.file_appeal(
        claim=claim, text=APPEAL_TEXT, by=f.login_of(claim.claimant)
    ),
    "uphold_appeal": lambda claim, target: services.decide_appeal(
        appeal=_pending_appeal(claim),
        upheld=True,
        payable_ore=300_000 if target == S.APPROVED else 0,
        text="Granted",
        by=_user(User.Role.STEERING),
    ),
    "dismiss_appeal": lambda claim, _target: services.decide_appeal(
        appeal=_pending_appeal(claim),
        upheld=False,
        payable_ore=None,
        text="Dismissed",
        by=_user(User.Role.STEERING),
    ),
    "pay": lambda _claim, _target: payouts.run_payouts(on=date(2025, 3, 11)),
}
APPEAL_DECISIONS = {"uphold_appeal", "dismiss_appeal"}
"""Taken on a pending appeal, whose claim is always under appeal: no service path from other statuses."""


def test_the_table_names_only_actions_the_services_take() -> None:
    assert {t.action for t in CLAIMS.transitions} == set(ACTIONS)


@pytest.mark.parametrize(
    ("action", "source", "target"),
    [(t.action, t.source, t.target) for t in CLAIMS.transitions],
    ids=[f"{t.action}:{t.source}->{t.target}" for t in CLAIMS.transitions],
)
def test_each_declared_transition_is_reachable_through_its_service(
    action: str, source: str, target: str
) -> None:
    if action == "dismiss_appeal":  # dismissal returns the claim to where it was appealed from
        claim = _claim_in(target)
        services.file_appeal(claim=claim, text=APPEAL_TEXT, by=f.login_of(claim.claimant))
    else:
        claim = _claim_in(source)

    ACTIONS[action](claim, target)

    claim.refresh_from_db()
    assert claim.status == target


UNDECLARED = [
    (action, status)
    for action in ACTIONS
    if action not in APPEAL_DECISIONS
    for status in S.values
    if not CLAIMS.allows(action, status)
]


@pytest.mark.parametrize(("action", "status"), UNDECLARED, ids=[f"{a}:{s}" for a, s in UNDECLARED])
def test_each_undeclared_transition_is_refused(action: str, status: str) -> None:
    claim = _claim_in(status)
    before = (claim.payable_ore, claim.drawn_self_chosen_ore, claim.events.count())

    if action == "pay":
        ACTIONS[action](claim, "")  # the run leaves the claim out
    else:
        with pytest.raises(services.ClaimError):
            ACTIONS[action](claim, S.REJECTED if action == "adjust" else "")

    claim.refresh_from_db()
    assert claim.status == status
    assert (claim.payable_ore, claim.drawn_self_chosen_ore, claim.events.count()) == before


def test_a_decided_appeal_cannot_be_decided_again() -> None:
    assert CLAIM_APPEALS.actions(Appeal.Outcome.PENDING, User.Role.STEERING) == {"decide"}
    claim = _claim_in(S.APPEALED)
    appeal = _pending_appeal(claim)
    services.decide_appeal(
        appeal=appeal, upheld=False, payable_ore=None, text="No", by=_user(User.Role.STEERING)
    )
    for upheld in (True, False):
        with pytest.raises(services.ClaimError):
            services.decide_appeal(
                appeal=appeal, upheld=upheld, payable_ore=0, text="Again", by=_user(User.Role.STEERING)
            )


def _page(user: User, claim: Claim) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/claims/{claim.public_id}/").content.decode()


def test_the_claim_page_offers_what_the_table_allows() -> None:
    caseworker = _user(User.Role.CASEWORKER)
    approved = _page(caseworker, _claim_in(S.APPROVED))
    assert 'value="adjust"' in approved and 'value="reject"' in approved and 'value="approve"' not in approved
    paid = _claim_in(S.PAID)
    assert f"/claims/{paid.public_id}/review/" not in _page(caseworker, paid)
    assert f"/claims/{paid.public_id}/appeal/" not in _page(f.login_of(paid.claimant), paid)
    decided = _claim_in(S.DECIDED)
    claimant_page = _page(f.login_of(decided.claimant), decided)
    assert f"/claims/{decided.public_id}/appeal/" in claimant_page
    assert f"/claims/{decided.public_id}/review/" not in claimant_page
