"""`ajour demo load`: build the deterministic national (or small) demo data set in one transaction."""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

from ajour.accounts.models import (
    Account,
    Doctor,
    LedgerEntry,
    Practice,
    Region,
    StaffMember,
    User,
)
from ajour.catalogue.models import (
    Activity,
    ActivityNumber,
    ApprovalAppeal,
    ApprovalDecision,
    Attendance,
    NumberSequence,
    Provider,
    SeTheme,
    Topic,
)
from ajour.catalogue.services import prechecks, refresh_claimable, refresh_missing_claimables
from ajour.claims.models import Appeal, AuditEvent, Claim
from ajour.core.bulk import insert_rows
from ajour.demo import targets as t
from ajour.demo import vocabulary as v
from ajour.demo.catalogue import FULL_DAY, reference_data
from ajour.demo.history import History, aware
from ajour.demo.population import Population, build_population
from ajour.demo.roles import DEMO_ROLES, demo_username
from ajour.groups.models import Cluster, DgeGroup
from ajour.stats.services import refresh_rollups

BATCH = 2000
DEMO_APPS = ["accounts", "catalogue", "claims", "groups", "stats", "simulator"]
USER_ROLES = {
    "gp-owner": User.Role.GP,
    "gp-employed": User.Role.GP,
    "trainee": User.Role.GP,
    "clinic": User.Role.CLINIC,
    "provider": User.Role.PROVIDER,
    "consultant": User.Role.CONSULTANT,
    "caseworker": User.Role.CASEWORKER,
    "steering": User.Role.STEERING,
    "counsellor": User.Role.COUNSELLOR,
    "analyst": User.Role.ANALYST,
    "admin": User.Role.ADMIN,
}


class DemoDataExists(Exception):
    """Demo data is already loaded and neither `--if-empty` nor `--replace` was given."""


def demo_data_exists() -> bool:
    return (
        Region.objects.exists()
        or Doctor.objects.exists()
        or User.objects.filter(username__startswith="demo-").exists()
    )


def load_demo(
    *,
    seed: int = 1,
    scale: str = "national",
    today: date | None = None,
    replace: bool = False,
    progress: Callable[[str], None] = print,
) -> None:
    """Builds the population and seven years of history in one transaction: people, practices and the
    catalogue are written by the demo, every account entry, confirmation, agreement and claim by the
    product's services."""
    started = clock.perf_counter()
    if demo_data_exists() and not replace:
        raise DemoDataExists(
            "Demo data already exists; use --replace to rebuild it or --if-empty to keep it."
        )
    factor = 1.0 if scale == "national" else t.SMALL_SCALE
    today = today or date.today()
    rng = random.Random(seed)
    with transaction.atomic():
        if replace:
            _wipe()
            progress("Removed the previous demo data.")
        regions = {code: Region(code=code, name=name) for code, name in v.REGIONS}
        Region.objects.bulk_create(regions.values())
        ref = reference_data(regions)
        Provider.objects.bulk_create(ref.providers.values())
        Topic.objects.bulk_create([x for x in ref.topics.values() if x.parent is None])
        Topic.objects.bulk_create([x for x in ref.topics.values() if x.parent is not None])
        SeTheme.objects.bulk_create(ref.themes.values())
        population = build_population(rng, factor, regions, today)
        _write_population(population)
        progress(
            f"Population: {len(population.practices):,} practices, {len(population.gps):,} GPs over time, "
            f"{len(population.trainees):,} trainees ({clock.perf_counter() - started:.1f} s)"
        )
        caseworker = _demo_user("caseworker")
        history = History(rng, factor, today, ref, population, progress, _insert, caseworker)
        history.run()
        _review_queue(history)
        history.write_catalogue()
        _write_numbers(history)
        progress(
            f"History: {len(history.claims):,} claims, {LedgerEntry.objects.count():,} ledger entries "
            f"({clock.perf_counter() - started:.1f} s, CPU {clock.process_time():.1f} s)"
        )
        _demo_users(population, history, today)
        _queues(history, today)
        refresh_rollups()
        progress(f"Statistics roll-ups refreshed ({clock.perf_counter() - started:.1f} s)")
        previews = refresh_missing_claimables(today=today)
        progress(f"Claim previews for {previews:,} upcoming runs ({clock.perf_counter() - started:.1f} s)")
        _precheck_applications()
    progress(f"Loaded demo data (seed {seed}, {scale}) in {clock.perf_counter() - started:.1f} s.")


def _wipe() -> None:
    """Empties every domain table (foreign keys are checked at commit) and removes the demo users."""
    User.objects.exclude(username__startswith="demo-").update(
        doctor=None, practice=None, provider=None, region=None
    )
    tables = []
    for app in DEMO_APPS:
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            if model is not User and not issubclass(model, User):
                tables.append(model._meta.db_table)
    with connection.cursor() as cursor:
        for table in tables:
            if table not in {
                User._meta.db_table,
                User.groups.through._meta.db_table,
                User.user_permissions.through._meta.db_table,
            }:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    User.objects.filter(username__startswith="demo-").delete()


def _write_population(population: Population) -> None:
    _insert(Cluster, population.clusters)
    _insert(Practice, population.practices)
    _insert(Doctor, [gp.doctor for gp in population.all_doctors()])
    _insert(StaffMember, population.staff)
    _insert(DgeGroup, [g.model for g in population.groups])
    through = DgeGroup.members.through
    # Memberships are not dated yet: every GP who held one of a group's places in the demo years is a member,
    # so the group meetings they attended then are theirs to claim (`catalogue.permissions.claimable_by`).
    memberships = [
        through(dgegroup_id=g.model.pk, doctor_id=d.pk)
        for g in population.groups
        for d in dict.fromkeys([*g.current_members, *(gp.doctor for s in g.slots for gp in s.holders)])
    ]
    through.objects.bulk_create(memberships, batch_size=BATCH)


def _write_numbers(history: History) -> None:
    """The activity numbers issued, and each year's last number, as the catalogue's numbering keeps them."""
    _insert(
        ActivityNumber,
        [
            ActivityNumber(activity=a, year=int(a.number[:4]), number=a.number)
            for a in history.activities
            if a.number
        ],
    )
    _insert(
        NumberSequence, [NumberSequence(year=y, last_issued=n) for y, n in sorted(history.numbers.items())]
    )


def _insert(model: type[Model], objects: Sequence[Model]) -> None:
    """Inserts the demo's own rows with primary keys given here, so that rows written later can refer
    to them; `auto_now_add` times are derived from the row's own date so that a seed gives identical rows.
    """
    next_pk = (model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    for index, obj in enumerate(objects):
        obj.pk = next_pk + index
        obj._state.adding = False
    source = _STAMP_SOURCE.get(model)
    insert_rows(model, objects, stamp=(lambda o: aware(source(o), 12)) if source else None, with_keys=True)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)


# Each function reads a row of its own model (the key), hence `Any` for the argument.
_STAMP_SOURCE: dict[type[Model], Callable[[Any], date]] = {
    ApprovalDecision: lambda o: o.valid_from,
    Attendance: lambda o: o.instance.ends_on,
    ActivityNumber: lambda o: date(o.year, 1, 1),
}


def _review_queue(history: History) -> None:
    """Applications waiting for the consultants and the steering group, so their queues are not empty."""
    rng, year = history.rng, history.today.year + 1
    states = ["submitted"] * 14 + ["info_requested"] * 4 + ["rejected"] * 3 + ["appealed"] * 2 + ["draft"] * 2
    providers = [name for name, _kind, _region, _mail in v.PROVIDERS if name != "Lægedage"]
    for index, status in enumerate(states):
        topic = rng.choice(list(v.COURSE_TITLES))
        title = rng.choice(v.COURSE_TITLES[topic])
        if index % 2:  # a new edition: the other half repeat a title, which the pre-check points out
            title = f"{title} {year}"
        activity = history.new_activity(
            year,
            provider=providers[index % len(providers)],
            topic=topic,
            form="course",
            title=title,
            approval=rng.choice(["self_chosen", "both"]),
            price=rng.randint(10, 50) * 10_000,
            status=status,
        )
        activity.submitted_at = aware(history.today - timedelta(days=rng.randint(1, 40)))
        if index % 4:  # most applicants answer the P-03 checklist; the rest leave work for the pre-check
            activity.gp_involvement = "To praktiserende læger i planlægningsgruppen; én underviser."
            activity.curriculum_relevance = "Målbeskrivelsens kompetencer i diagnostik og behandling."
            activity.funding = "Deltagerbetaling; ingen sponsorer."
        activity.industry_involvement = index % 9 == 4
        region = rng.choice(list(v.VENUES))
        venue, town = rng.choice(v.VENUES[region])
        history.new_run(activity, region, venue, town, [(history.dates.day(year), FULL_DAY[0])], "course", 30)


def _precheck_applications() -> None:
    """Runs the submission pre-checks on the applications in review, as submitting them would have."""
    for activity in Activity.objects.exclude(status__in=[Activity.Status.APPROVED, Activity.Status.DRAFT]):
        for instance in activity.instances.prefetch_related("days"):
            refresh_claimable(instance=instance)
        activity.prechecks = prechecks(activity=activity)
        activity.save(update_fields=["prechecks"])


def _demo_users(population: Population, history: History, today: date) -> None:
    claims_this_year: dict[int, int] = {}
    for claim in history.claims:
        if claim.activity_date.year == today.year and claim.staff_member is None:
            claims_this_year[claim.claimant.pk] = claims_this_year.get(claim.claimant.pk, 0) + 1
    upcoming = {
        run.instance.town
        for run in history.runs
        if run.first > today and run.claim_type == "course" and run.activity.status == "approved"
    }

    def money(doctor: Doctor) -> int:
        return history.balance(doctor, Account.Kind.SELF_CHOSEN)

    def active(doctor: Doctor) -> bool:
        return doctor.active_from <= today and (doctor.active_to is None or doctor.active_to >= today)

    def practice(doctor: Doctor) -> Practice:
        assert doctor.practice is not None  # the demo's GPs and trainees all work in a practice
        return doctor.practice

    gps = [gp.doctor for gp in population.gps if active(gp.doctor)]
    owners = [
        d for d in gps if d.role == Doctor.Role.GP_OWNER and practice(d).form == Practice.Form.PARTNERSHIP
    ]
    owner = max(
        owners,
        key=lambda d: (
            practice(d).region.code == "midtjylland",
            practice(d).town in upcoming,
            2 <= claims_this_year.get(d.pk, 0) <= 5,
            money(d) >= 800_000,
            -abs(money(d) - 1_500_000),
        ),
    )
    employed = max(
        (d for d in gps if d.role == Doctor.Role.GP_EMPLOYED and history.has_account(d, today.year)),
        key=lambda d: (claims_this_year.get(d.pk, 0) > 0, money(d)),
    )
    trainee = max(
        (
            gp.doctor
            for gp in population.trainees
            if gp.doctor.role == Doctor.Role.TRAINEE_PHASE3 and active(gp.doctor)
        ),
        key=lambda d: (practice(d).region.code == "midtjylland", d.active_from),
    )
    staffed = {c.practice_id for c in history.claims if c.staff_member_id is not None}
    clinic = max(
        (p for p in population.practices if p.form == Practice.Form.PARTNERSHIP),
        key=lambda p: (p.pk in staffed, p.region.code == "midtjylland", p.doctor_capacities),
    )
    people = {"gp-owner": owner, "gp-employed": employed, "trainee": trainee}
    links: dict[str, dict[str, Any]] = {  # each demo user's links, as model keyword arguments
        **{slug: {"doctor": doctor} for slug, doctor in people.items()},
        "clinic": {"practice": clinic},
        "provider": {"provider": history.ref.plo_e},
        "counsellor": {"region": population.regions["midtjylland"]},
    }
    made = set(User.objects.filter(username__startswith="demo-").values_list("username", flat=True))
    for slug, _label in DEMO_ROLES:
        if demo_username(slug) not in made:
            _demo_user(slug, people.get(slug), links.get(slug, {}))


def _demo_user(slug: str, person: Doctor | None = None, links: dict[str, Any] | None = None) -> User:
    """A demo login without a password (the demo's role switcher signs in)."""
    user = User(
        username=demo_username(slug),
        role=USER_ROLES[slug],
        is_staff=slug == "admin",
        is_superuser=slug == "admin",
        first_name=person.first_name if person else "Demo",
        last_name=person.last_name if person else slug,
        **(links or {}),
    )
    user.set_unusable_password()
    user.save()
    return user


def _queues(history: History, today: date) -> None:
    """A few recent claims in sample control and appeal, so the caseworker and steering queues have work."""
    recent = [
        c
        for c in history.claims
        if c.status == "decided" and c.staff_member is None and c.activity_type == "course"
    ]
    picks = history.rng.sample(recent, min(len(recent), 14))
    changes = {"control_requested": picks[:7], "control_submitted": picks[7:11], "appealed": picks[11:]}
    for status, claims in changes.items():
        for claim in claims:
            Claim.objects.filter(pk=claim.pk).update(status=status)
            AuditEvent.objects.create(
                claim_id=claim.pk,
                action=status,
                note="Demo: udtaget til stikprøvekontrol."
                if status.startswith("control")
                else "Demo: klage over afgørelsen.",
            )
            if status == "appealed":
                Appeal.objects.create(
                    claim_id=claim.pk,
                    previous_status="decided",
                    filed_by=User.objects.filter(doctor_id=claim.claimant.pk).first(),
                    text="Jeg mener, at transporten skal dækkes fuldt ud: kurset lå langt fra klinikken.",
                )
    provider_user = User.objects.get(username=demo_username("provider"))
    for activity in history.activities:
        if activity.status == Activity.Status.APPEALED:
            ApprovalAppeal.objects.create(
                activity_id=activity.pk,
                filed_by=provider_user,
                reasons="Kurset dækker en central del af målbeskrivelsen; vi beder styregruppen se på sagen.",
            )
        elif activity.status == Activity.Status.REJECTED:
            ApprovalDecision.objects.create(
                activity_id=activity.pk,
                version=1,
                kind=ApprovalDecision.Kind.REJECT,
                approval=Activity.Approval.NONE,
                valid_from=today,
                reasons="Programmet viser ikke pauserne, og praktiserende læger er ikke med i planlægningen.",
            )
