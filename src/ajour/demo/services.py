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
from django.db.models import DecimalField, Field, ForeignObject, JSONField, Model

from ajour.accounts.models import (
    Account,
    Doctor,
    EmploymentConfirmation,
    LedgerEntry,
    Practice,
    Region,
    StaffMember,
    TrainingAgreement,
    User,
)
from ajour.catalogue.models import (
    Activity,
    ActivityInstance,
    ActivityNumber,
    ApprovalAppeal,
    ApprovalDecision,
    Attendance,
    NumberSequence,
    ProgrammeDay,
    Provider,
    SeTheme,
    Topic,
)
from ajour.catalogue.services import prechecks, refresh_claimable, refresh_missing_claimables
from ajour.claims.models import Appeal, AuditEvent, Claim
from ajour.demo import targets as t
from ajour.demo import vocabulary as v
from ajour.demo.catalogue import FULL_DAY, reference_data
from ajour.demo.history import History, aware
from ajour.demo.population import Population, build_population
from ajour.demo.roles import DEMO_ROLES, demo_username
from ajour.groups.models import Cluster, DgeGroup
from ajour.stats.services import refresh_rollups

BATCH = 2000
DEMO_APPS = ["accounts", "catalogue", "claims", "groups", "stats"]
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
) -> dict[str, int]:
    """Builds everything in memory, then writes it in one transaction; returns row counts."""
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
        progress(
            f"Population: {len(population.practices):,} practices, {len(population.gps):,} GPs over time, "
            f"{len(population.trainees):,} trainees ({clock.perf_counter() - started:.1f} s)"
        )
        history = History(rng, factor, today, ref, population, progress)
        history.run()
        _review_queue(history)
        progress(
            f"History: {len(history.claims):,} claims, {len(history.entries):,} ledger entries "
            f"({clock.perf_counter() - started:.1f} s)"
        )
        counts = _write(population, history)
        progress(
            f"Written: {sum(counts.values()):,} rows ({clock.perf_counter() - started:.1f} s, "
            f"CPU {clock.process_time():.1f} s)"
        )
        _demo_users(population, history, today)
        _queues(history, today)
        refresh_rollups()
        progress(f"Statistics roll-ups refreshed ({clock.perf_counter() - started:.1f} s)")
        previews = refresh_missing_claimables(today=today)
        progress(f"Claim previews for {previews:,} upcoming runs ({clock.perf_counter() - started:.1f} s)")
        _precheck_applications()
    progress(f"Loaded demo data (seed {seed}, {scale}) in {clock.perf_counter() - started:.1f} s.")
    return counts


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


def _write(population: Population, history: History) -> dict[str, int]:
    rows: list[tuple[type[Model], Sequence[Model]]] = [
        (Cluster, population.clusters),
        (Practice, population.practices),
        (Doctor, [gp.doctor for gp in population.all_doctors()]),
        (StaffMember, population.staff),
        (DgeGroup, [g.model for g in population.groups]),
        (EmploymentConfirmation, history.confirmations),
        (TrainingAgreement, history.agreements),
        (Activity, history.activities),
        (
            ActivityNumber,
            [
                ActivityNumber(activity=a, year=int(a.number[:4]), number=a.number)
                for a in history.activities
                if a.number
            ],
        ),
        (NumberSequence, [NumberSequence(year=y, last_issued=n) for y, n in sorted(history.numbers.items())]),
        (ApprovalDecision, history.decisions),
        (ActivityInstance, [run.instance for run in history.runs]),
        (ProgrammeDay, [day for run in history.runs for day in run.days]),
        (Account, list(history.accounts.values())),
        (Claim, history.claims),
        (LedgerEntry, history.entries),
        (Attendance, history.attendances),
    ]
    for run in history.runs:
        run.instance.approved_half_days = sum(run.halves)
        run.instance.booked = min(run.instance.places, len(run.participants))
    counts: dict[str, int] = {}
    for model, objects in rows:
        if model is LedgerEntry:
            for entry in history.entries:
                key = history.entry_keys.get(id(entry))
                if key is not None:
                    entry.idempotency_key = key()
        _insert(model, objects)
        counts[model.__name__] = len(objects)
    through = DgeGroup.members.through
    memberships = [
        through(dgegroup_id=g.model.pk, doctor_id=d.pk)
        for g in population.groups
        for d in dict.fromkeys(g.current_members)
    ]
    through.objects.bulk_create(memberships, batch_size=BATCH)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model for model, _objects in rows]):
            cursor.execute(statement)
    return counts


def _insert(model: type[Model], objects: Sequence[Model]) -> None:
    """Plain multi-row INSERTs with primary keys given here: the ORM's bulk_create is too slow for 10⁶ rows.

    Foreign keys are read from the related objects, which were inserted (and got their keys) before.
    `auto_now_add` times are derived from the row's own date so that a seed gives identical rows.
    """
    ops = connection.ops
    next_pk = (model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    fields = list(model._meta.concrete_fields)
    readers = [_reader(model, f) for f in fields]
    for index, obj in enumerate(objects):
        obj.pk = next_pk + index
        obj._state.adding = False
    columns = ", ".join(ops.quote_name(_column(f)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), 5000):
            cursor.executemany(
                sql, [tuple(read(o) for read in readers) for o in objects[start : start + 5000]]
            )


# Reads one column of a row from its object, as the database driver takes it (hence `Any`).
Reader = Callable[[Model], Any]


def _reader(model: type[Model], f: Field[Any, Any]) -> Reader:
    ops, a = connection.ops, f.attname
    if f.is_relation:
        assert isinstance(f, ForeignObject)  # a concrete relation: a foreign key or one-to-one
        return _fk_reader(f)
    kind = f.get_internal_type()
    if getattr(f, "auto_now_add", False):
        day = _STAMP_SOURCE[model]
        return lambda o: ops.adapt_datetimefield_value(aware(day(o), 12))
    if kind == "DateField":
        return lambda o: ops.adapt_datefield_value(getattr(o, a))
    if kind == "DateTimeField":
        return lambda o: ops.adapt_datetimefield_value(getattr(o, a))
    if kind == "TimeField":
        return lambda o: ops.adapt_timefield_value(getattr(o, a))
    if kind == "JSONField":
        assert isinstance(f, JSONField)
        encoder = f.encoder
        return lambda o: ops.adapt_json_value(getattr(o, a), encoder)
    if kind == "UUIDField":
        return lambda o: getattr(o, a) if connection.features.has_native_uuid_field else getattr(o, a).hex
    if kind == "DecimalField":
        assert isinstance(f, DecimalField)
        return lambda o: ops.adapt_decimalfield_value(getattr(o, a), f.max_digits, f.decimal_places)
    if kind == "FileField":
        return lambda o: str(getattr(o, a) or "")
    return lambda o: getattr(o, a)


def _column(field: Field[Any, Any]) -> str:
    assert field.column is not None  # every concrete field has a column
    return field.column


def _fk_reader(field: ForeignObject[Any, Any]) -> Reader:
    def read(obj: Model) -> object:
        related = field.get_cached_value(obj, None)
        return related.pk if related is not None else getattr(obj, field.attname)

    return read


# Each function reads a row of its own model (the key), hence `Any` for the argument.
_STAMP_SOURCE: dict[type[Model], Callable[[Any], date]] = {
    Claim: lambda o: o.filed_on,
    LedgerEntry: lambda o: o.effective_on,
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
        activity = history.new_activity(
            year,
            provider=providers[index % len(providers)],
            topic=topic,
            form="course",
            # most are a new edition; the rest repeat a title, which the duplicate pre-check finds
            title=f"{title} {year}" if index % 4 else title,
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

    def balance(doctor: Doctor, kind: str) -> int:
        return history.balance[id(history.account(doctor, kind))]

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
            balance(d, "self_chosen") >= 800_000,
            -abs(balance(d, "self_chosen") - 1_500_000),
        ),
    )
    employed = max(
        (d for d in gps if d.role == Doctor.Role.GP_EMPLOYED and history.has_account(d, today.year)),
        key=lambda d: (claims_this_year.get(d.pk, 0) > 0, balance(d, "self_chosen")),
    )
    trainee = max(
        (
            gp.doctor
            for gp in population.trainees
            if gp.doctor.role == Doctor.Role.TRAINEE_PHASE3 and active(gp.doctor)
        ),
        key=lambda d: (practice(d).region.code == "midtjylland", d.active_from),
    )
    staffed = {c.practice.pk for c in history.claims if c.practice is not None}
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
    for slug, _label in DEMO_ROLES:
        person = people.get(slug)
        user = User(
            username=demo_username(slug),
            role=USER_ROLES[slug],
            is_staff=slug == "admin",
            is_superuser=slug == "admin",
            first_name=person.first_name if person else "Demo",
            last_name=person.last_name if person else slug,
            **links.get(slug, {}),
        )
        user.set_unusable_password()
        user.save()


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
