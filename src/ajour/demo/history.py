"""Seven years of history: who took part, which runs they attended, and every claim decided by the engine.

Each year, through the product's services: employed GPs' contracts are confirmed and trainees' agreements
registered, the yearly allocation run books the accounts, the planner chooses the GPs who claim (by
propensity, so rare users stay rare) and creates DGE meetings and course runs topic by topic until the
year's course-day targets are filled with participants; the claims filed that year are then submitted in
date order through the claims service's bulk path, and the year is closed by the product's year-end run.
"""

from __future__ import annotations

import random
import time as clock
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Model, Sum

from ajour.accounts.models import (
    Account,
    Doctor,
    EmploymentConfirmation,
    LedgerEntry,
    Practice,
    StaffMember,
    User,
)
from ajour.accounts.services import allocate_year, close_year, decide_employment, register_training_agreement
from ajour.catalogue.models import Activity, ActivityInstance, ApprovalDecision, Attendance, ProgrammeDay
from ajour.claims.models import Claim
from ajour.claims.payload import ClaimRequest
from ajour.claims.services import BulkClaim, submit_claims_in_bulk
from ajour.demo import targets as t
from ajour.demo import vocabulary as v
from ajour.demo.catalogue import FULL_DAY, HALF_DAY, Dates, Reference, Run, TimeSlot, programme
from ajour.demo.population import Gp, Population, Slot, overlaps
from ajour.groups.models import DgeGroup
from ajour.rules.calendar import is_fee_weekday
from ajour.rules.parameters import ParameterSet

Write = Callable[[type[Model], Sequence[Model]], None]
"""Inserts new rows of one model (the demo's fast multi-row insert); their objects get primary keys."""
STUDY_MATERIAL = "Faglitteratur"
"""What the demo's study-material claims bought."""
RECENT_DAYS = 45
"""Claims filed within this many days of the demo's today are decided but not yet paid."""

DESCRIPTION = "Kurset er tilrettelagt af praktiserende læger og henvender sig til almen praksis."
STRUCTURES = {
    # name: (day kinds, weights per provider group)
    "half1": ["half"],
    "full1": ["full"],
    "full2": ["full", "full"],
    "fri_sat": ["full", "full"],
    "full3": ["full", "full", "full"],
}
STRUCTURE_MIX = {
    "plo_e": {"half1": 25, "full1": 52, "full2": 16, "fri_sat": 5, "full3": 2},
    "regional": {"half1": 40, "full1": 55, "full2": 5},
    "luf": {"full1": 15, "full2": 40, "fri_sat": 25, "full3": 20},
    "private": {"half1": 20, "full1": 70, "full2": 10},
}


def aware(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _practice(doctor: Doctor) -> Practice:
    assert doctor.practice is not None  # the demo's GPs and trainees all work in a practice
    return doctor.practice


def _placement_end(trainee: Doctor) -> date:
    assert trainee.active_to is not None  # a trainee's placement always ends
    return trainee.active_to


@dataclass(eq=False)
class State:
    """What the planner believes a claiming GP still has and wants this year."""

    gp: Gp
    dkk: int
    se: int
    demand: int
    busy: set[date] = field(default_factory=set)
    covered: bool = False

    def __post_init__(self) -> None:
        doctor = self.gp.doctor
        self.first, self.last = doctor.active_from, doctor.active_to or date.max
        practice = _practice(doctor)
        self.town, self.region = practice.town, practice.region.code


@dataclass(eq=False)
class Planned:
    gp: Gp
    run: Run | None
    claim_type: str
    activity_date: date
    filed_on: date
    course_fee: int = 0
    transport: int = 0
    material: int = 0
    attended: list[bool] | None = None
    staff: StaffMember | None = None


@dataclass
class Bucket:
    provider: str
    topic: str
    form: str
    halves: int
    region: str | None = None
    failures: int = 0
    activity: Activity | None = None
    structure: str = ""
    """The day structure of `activity` (a key of STRUCTURES)."""
    runs_left: int = 0


class History:
    def __init__(
        self,
        rng: random.Random,
        scale: float,
        today: date,
        ref: Reference,
        pop: Population,
        progress: Callable[[str], None],
        write: Write,
        caseworker: User,
    ) -> None:
        self.rng, self.scale, self.today, self.ref, self.pop, self.progress = (
            rng,
            scale,
            today,
            ref,
            pop,
            progress,
        )
        self.write, self.caseworker = write, caseworker
        self.params = ParameterSet.default()
        self.dates = Dates(rng)
        self.activities: list[Activity] = []
        self.decisions: list[ApprovalDecision] = []
        self.runs: list[Run] = []
        self.written = (0, 0, 0)
        """How many of `activities`, `decisions` and `runs` are in the database."""
        self.claims: list[Claim] = []
        self.pending: list[Planned] = []
        self.numbers: dict[int, int] = defaultdict(int)
        self.confirmed: set[tuple[int, int]] = set()
        self.balances: dict[tuple[int, str], int] = {}
        self.region_gps = {code: 0 for code in ref.regions}
        for gp in pop.gps:
            if gp.doctor.active_to is None and gp.slot is not None:
                self.region_gps[gp.slot.practice.region.code] += 1

    # ----- the yearly cycle -------------------------------------------------------------------
    def run(self) -> None:
        for year in range(t.YEARS.start, self.today.year + 1):
            started = clock.perf_counter()
            self._confirm(year)
            self._register_agreements(year)
            allocate_year(year=year)
            self._read_balances()
            accounts = clock.perf_counter()
            self._plan(year)
            self.write_catalogue()
            planned = clock.perf_counter()
            claims = self._settle(year)
            if year < self.today.year:
                close_year(year=year, today=self.today)
            self.progress(
                f"  {year}: {claims:,} claims filed ({accounts - started:.1f} s accounts, "
                f"{planned - accounts:.1f} s planning, {clock.perf_counter() - planned:.1f} s claims, close)"
            )
        self._read_balances()
        self._catalogue_only(self.today.year + 1)

    def _rate(self, year: int) -> float:
        return t.PARTICIPATION.get(year, t.PARTICIPATION[max(t.PARTICIPATION)]).value

    def _plo_e_days(self, year: int) -> float:
        return t.PLO_E_DAYS.get(year, t.PLO_E_DAYS[max(t.PLO_E_DAYS)]).value * self.scale

    # ----- accounts, through the product's services ------------------------------------------
    def _read_balances(self) -> None:
        """Every GP's and trainee's balances from the ledger, for the planner."""
        rows = (
            LedgerEntry.objects.filter(account__doctor__isnull=False)
            .values_list("account__doctor_id", "account__kind")
            .annotate(total=Sum("amount"))
        )
        self.balances = {(doctor_id, kind): int(total) for doctor_id, kind, total in rows}

    def balance(self, doctor: Doctor, kind: str) -> int:
        return self.balances.get((doctor.pk, kind), 0)

    def _confirm(self, year: int) -> None:
        """Employed GPs send their contract for the year; the secretariat confirms those received in time."""
        received: list[tuple[EmploymentConfirmation, date]] = []
        for gp in self.pop.gps:
            d = gp.doctor
            if d.role != Doctor.Role.GP_EMPLOYED or not overlaps(d, date(year, 1, 1), date(year, 12, 31)):
                continue
            on = max(date(year, 1, 1), d.active_from) + timedelta(days=self.rng.randint(3, 40))
            received.append((EmploymentConfirmation(doctor=d, year=year, uploaded_at=aware(on)), on))
        self.write(EmploymentConfirmation, [confirmation for confirmation, _on in received])
        for confirmation, on in received:
            if year == self.today.year and on > self.today - timedelta(days=20):
                continue  # still waiting in the caseworker's queue
            decide_employment(
                confirmation=confirmation,
                confirm=True,
                share_percent=100,
                note="Ansættelseskontrakt modtaget.",
                by=self.caseworker,
            )
            self.confirmed.add((id(confirmation.doctor), year))

    def has_account(self, doctor: Doctor, year: int) -> bool:
        return doctor.role != Doctor.Role.GP_EMPLOYED or (id(doctor), year) in self.confirmed

    def _register_agreements(self, year: int) -> None:
        for gp in self.pop.trainees:
            d = gp.doctor
            if d.active_from.year == year and d.active_from <= self.today:
                register_training_agreement(doctor=d, starts_on=d.active_from, ends_on=_placement_end(d))

    # ----- planning --------------------------------------------------------------------------
    def _claimers(self, year: int) -> list[Gp]:
        first, last = date(year, 1, 1), date(year, 12, 31)
        eligible = [gp for gp in self.pop.gps if overlaps(gp.doctor, first, last)]
        scored = []
        for gp in eligible:
            d = gp.doctor
            if not self.has_account(d, year) or d.active_from > self.today:
                continue
            start, end = max(first, d.active_from), min(last, d.active_to or last)
            share = max(0.02, ((end - start).days + 1) / 365)
            score = gp.propensity + self.rng.gauss(0, t.YEARLY_NOISE.value) + 1.2 * (share - 1)
            scored.append((score, gp))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return [gp for _s, gp in scored[: round(self._rate(year) * len(eligible))]]

    def _plan(self, year: int) -> None:
        claimers = self._claimers(year)
        total_halves = 2 * self._plo_e_days(year) / t.PLO_E_SHARE.value
        appetite = sum(gp.appetite for gp in claimers) or 1
        pending_cost: dict[int, int] = defaultdict(int)
        for planned in self.pending:
            pending_cost[id(planned.gp)] += planned.course_fee + planned.transport + 400_000
        self.states: dict[int, State] = {}
        for gp in claimers:
            d = gp.doctor
            self.states[id(gp)] = State(
                gp=gp,
                dkk=self.balance(d, Account.Kind.SELF_CHOSEN) - pending_cost[id(gp)],
                se=self.balance(d, Account.Kind.SYSTEMATIC),
                demand=max(1, round(total_halves * gp.appetite / appetite)),
            )
        self.pool: dict[str, list[State]] = defaultdict(list)
        for state in self.states.values():
            slot = state.gp.slot
            assert slot is not None  # a claiming GP holds a slot in a practice
            self.pool[slot.practice.region.code].append(state)
        self.everyone = list(self.states.values())
        self.uncovered = {code: list(states) for code, states in self.pool.items()}
        for states in self.uncovered.values():
            self.rng.shuffle(states)
        self.planned: list[Planned] = []
        self._dge_meetings(year)
        self._fill(year, self._buckets(year))
        self._study_material(year)
        self._trainee_claims(year)
        self._staff_claims(year)

    def _catalogue_only(self, year: int) -> None:
        self.states, self.pool, self.everyone, self.uncovered, self.planned = (
            {},
            defaultdict(list),
            [],
            {},
            [],
        )
        self._fill(year, self._buckets(year), fill=False)

    def _buckets(self, year: int) -> list[Bucket]:
        plo_e = self._plo_e_days(year)
        s = self.scale
        key = min(max(year, 2019), 2025)
        lead, psych, pain = (t.LEADERSHIP_DAYS[key] * s, t.PSYCHIATRY_DAYS[key] * s, t.PAIN_DAYS[key] * s)
        adhd = psych * t.ADHD_SHARE_OF_PSYCHIATRY[key]
        cw = plo_e * t.COMMUNICATION_WELLBEING_SHARE.value
        other = plo_e * t.OTHER_SHARE.value
        filler = plo_e - lead - psych - pain - cw - other
        weights = t.FILLER_MEDICAL_WEIGHTS
        topic_days = {
            "leadership-organisation": lead,
            "psychiatry": psych - adhd,
            "adhd": adhd,
            "pain-headache": pain,
            "communication": cw * 0.53,
            "wellbeing": cw * 0.47,
            "other": other,
        }
        for code, weight in weights.items():
            topic_days[code] = filler * weight / sum(weights.values())
        e_share = {2020: 0.35, 2021: 0.25}.get(year, 0.1)
        sge_share = {
            "leadership-organisation": 0.25,
            "psychiatry": 0.2,
            "musculoskeletal": 0.2,
            "pain-headache": 0.1,
        }
        buckets: list[Bucket] = []
        for code, days in topic_days.items():
            halves = 2 * days
            sge = sge_share.get(code, 0) if self._sge_theme(code, year) else 0
            dge = 0.08 if code in weights else 0
            for form, share in (
                ("sge", sge),
                ("dge_module", dge),
                ("e_learning", e_share),
                ("course", 1 - sge - dge - e_share),
            ):
                if share > 0:
                    buckets.append(Bucket("PLO Efteruddannelse", code, form, round(halves * share)))
        others = 2 * (plo_e / t.PLO_E_SHARE.value - plo_e) * t.OTHERS_PLANNING_MARGIN.value
        regional = others * t.REGIONAL_SHARE_OF_OTHERS.value
        medical = list(weights) + ["pain-headache", "psychiatry", "adhd"]
        units = {
            p.region.code: name
            for name, p in self.ref.providers.items()
            if p.kind == "regional" and p.region is not None
        }
        total_gps = sum(self.region_gps.values())
        for code, unit in units.items():
            share = self.region_gps[code] / total_gps
            for topic in medical + ["leadership-organisation", "communication", "other"]:
                topic_weight = 0.5 if topic in medical else 0.25
                buckets.append(
                    Bucket(unit, topic, "course", round(regional * share * topic_weight / 9.75), region=code)
                )
        private = others - regional
        laegedage = 0 if year == 2020 else private * 0.32
        if laegedage:
            buckets.append(Bucket("Lægedage", "other", "conference", round(laegedage)))
        rest = private - laegedage
        for provider, share in (
            ("LUF – Lægernes Uddannelses Forening", 0.4),
            ("DSAM", 0.2),
            ("Almenmedicinsk Kursuscenter ApS", 0.2),
            ("Nordisk Praksisakademi", 0.2),
        ):
            for topic in medical + ["leadership-organisation", "wellbeing"]:
                buckets.append(Bucket(provider, topic, "course", round(rest * share / (len(medical) + 2))))
        return [b for b in buckets if b.halves > 0]

    def _sge_theme(self, topic: str, year: int) -> str | None:
        for code in v.SGE_THEMES:
            if topic in self.ref.theme_topics[code] and self.ref.themes[code].first_year <= year:
                return code
        return None

    def _themes_for(self, topic: str, year: int) -> list[str]:
        return [
            code
            for code, topics in self.ref.theme_topics.items()
            if topic in topics and self.ref.themes[code].first_year <= year and code not in v.SGE_THEMES
        ]

    # ----- activities and runs ---------------------------------------------------------------
    def new_activity(
        self,
        year: int,
        *,
        provider: str | None,
        topic: str,
        form: str,
        title: str,
        approval: str,
        theme: str | None = None,
        price: int = 0,
        laegedage: bool = False,
        practice_purchase: bool = False,
        target: str = "gps",
        status: str = "approved",
        dge_group: DgeGroup | None = None,
    ) -> Activity:
        number = None
        if status == "approved":
            self.numbers[year] += 1
            number = f"{year}-{self.numbers[year]:04d}"
        decided = date(year, 1, 1) - timedelta(days=self.rng.randint(20, 120))
        activity = Activity(
            number=number,
            provider=self.ref.providers[provider] if provider else None,
            title=title,
            description=f"{title}. {DESCRIPTION}",
            form=form,
            target_group=target,
            topic=self.ref.topics[topic],
            requested_approval=approval,
            approval=approval if status == "approved" else "none",
            se_theme=self.ref.themes[theme] if theme else None,
            laegedage=laegedage,
            practice_purchase=practice_purchase,
            price_ore=price,
            status=status,
            submitted_at=aware(decided - timedelta(days=self.rng.randint(10, 40))),
            decided_at=aware(decided) if status == "approved" else None,
            dge_group=dge_group,
        )
        self.activities.append(activity)
        if status == "approved":
            self.decisions.append(
                ApprovalDecision(
                    activity=activity,
                    version=1,
                    kind="approve",
                    approval=approval,
                    valid_from=decided,
                    reasons="Godkendt efter konsulentvurdering.",
                )
            )
        return activity

    def new_run(
        self,
        activity: Activity,
        region: str,
        venue: str,
        town: str,
        days: list[tuple[date, TimeSlot]],
        claim_type: str,
        places: int,
        national: bool = False,
    ) -> Run:
        instance = ActivityInstance(
            activity=activity,
            venue=venue,
            town=town,
            region=self.ref.regions[region],
            places=places,
            starts_on=days[0][0],
            ends_on=days[-1][0],
        )
        programme_days = [programme(instance, day, slot) for day, slot in days]
        halves = [2 if slot in FULL_DAY else 1 for _day, slot in days]
        run = Run(
            activity=activity,
            instance=instance,
            days=programme_days,
            region_code=region,
            claim_type=claim_type,
            halves=halves,
            course_fee_ore=activity.price_ore,
            national=national,
            rates=self.params.on(days[-1][0]).ints,
        )
        self.runs.append(run)
        return run

    def _region_by_gps(self) -> str:
        return self.rng.choices(list(self.region_gps), list(self.region_gps.values()))[0]

    def _clinic_venue(self, region: str) -> tuple[str, str]:
        if not hasattr(self, "_clinics"):
            self._clinics: dict[str, list[Practice]] = defaultdict(list)
            for practice in self.pop.practices:
                self._clinics[practice.region.code].append(practice)
        practice = self.rng.choice(self._clinics[region])
        return practice.name, practice.town

    def _schedule(self, year: int, structure: str) -> list[tuple[date, TimeSlot]]:
        kinds = STRUCTURES[structure]
        if structure == "fri_sat":
            dates = self.dates.consecutive(year, 2, with_saturday=True)
        else:
            dates = self.dates.consecutive(year, len(kinds))
        slots = [self.rng.choice(FULL_DAY if kind == "full" else HALF_DAY) for kind in kinds]
        return list(zip(dates, slots[: len(dates)], strict=False))

    def _make_run(self, year: int, bucket: Bucket) -> tuple[Run, int]:
        """A new run for the bucket and how many participants it is planned for."""
        rng = self.rng
        provider = self.ref.providers[bucket.provider]
        kind = "luf" if bucket.provider.startswith("LUF") else provider.kind
        if bucket.form == "sge":
            theme = self._sge_theme(bucket.topic, year)
            if bucket.activity is None:
                assert theme is not None  # SGE buckets are planned for topics with an SGE theme
                title = f"SGE: {self.ref.themes[theme].name_da} {year}"
                bucket.activity = self.new_activity(
                    year,
                    provider=bucket.provider,
                    topic=bucket.topic,
                    form="sge",
                    title=title,
                    approval="systematic",
                    theme=theme,
                    price=30_000,
                )
                bucket.runs_left = 10**6
            first = self.dates.day(year, before=date(year, 11, 30))
            second = self.dates.day(year, after=first + timedelta(days=14), before=first + timedelta(days=45))
            if second <= first or second.year != year:
                second = first + timedelta(days=1)
                while not is_fee_weekday(second):
                    second += timedelta(days=1)
            region = self._region_by_gps()
            venue, town = self._clinic_venue(region)
            slot = ((13, 0), (16, 30), 30)
            run = self.new_run(
                bucket.activity, region, venue, town, [(first, slot), (second, slot)], "sge_day", 12
            )
            return run, rng.randint(5, 10)
        if bucket.form == "dge_module":
            if bucket.activity is None:
                title = f"DGE-modul: {rng.choice(v.COURSE_TITLES[bucket.topic])} {year}"
                bucket.activity = self.new_activity(
                    year,
                    provider=bucket.provider,
                    topic=bucket.topic,
                    form="dge_module",
                    title=title,
                    approval="self_chosen",
                )
                bucket.runs_left = 10**6
            region = self._region_by_gps()
            venue, town = self._clinic_venue(region)
            run = self.new_run(
                bucket.activity, region, venue, town, [(self.dates.day(year), HALF_DAY[0])], "dge_module", 12
            )
            return run, rng.randint(5, 10)
        if bucket.form == "conference":
            if bucket.activity is None:
                bucket.activity = self.new_activity(
                    year,
                    provider="Lægedage",
                    topic="other",
                    form="conference",
                    title=f"Lægedage {year}",
                    approval="self_chosen",
                    price=500_000,
                    laegedage=True,
                )
                bucket.runs_left = 1
            wednesday = date(year, 11, 8) + timedelta(days=(2 - date(year, 11, 8).weekday()) % 7 + 7)
            days = [(wednesday + timedelta(days=i), FULL_DAY[0]) for i in range(3)]
            run = self.new_run(
                bucket.activity,
                "hovedstaden",
                "Bella Center",
                "København S",
                days,
                "course",
                4000,
                national=True,
            )
            return run, round(bucket.halves / 5.2) + 1
        if bucket.activity is None or bucket.runs_left <= 0:
            approval, theme = "self_chosen", None
            themes = self._themes_for(bucket.topic, year)
            if themes and bucket.form == "course":
                draw = rng.random()
                if draw < 0.55 or kind == "regional" and draw < 0.6:
                    approval, theme = "both", rng.choice(themes)
                elif draw < 0.63:
                    approval, theme = "systematic", rng.choice(themes)
            structure = (
                "half1"
                if bucket.form == "e_learning"
                else rng.choices(
                    list(STRUCTURE_MIX[kind if kind in STRUCTURE_MIX else "private"]),
                    list(STRUCTURE_MIX[kind if kind in STRUCTURE_MIX else "private"].values()),
                )[0]
            )
            n_days = len(STRUCTURES[structure])
            per_day = {"plo_e": (400, 1500), "regional": (0, 600), "luf": (1500, 2600)}.get(kind, (600, 1800))
            price = (
                0
                if bucket.form == "e_learning" and rng.random() < 0.6
                else (rng.randint(*per_day) * n_days // 50 * 5000)
            )
            purchase = kind == "plo_e" and bucket.form == "course" and rng.random() < 0.03
            prefix = "Praksiskøb: " if purchase else "E-læring: " if bucket.form == "e_learning" else ""
            bucket.activity = self.new_activity(
                year,
                provider=bucket.provider,
                topic=bucket.topic,
                form=bucket.form,
                title=prefix + rng.choice(v.COURSE_TITLES[bucket.topic]),
                approval=approval,
                theme=theme,
                price=price,
                practice_purchase=purchase,
            )
            bucket.structure = structure
            bucket.runs_left = (
                1 if bucket.form == "e_learning" else rng.choices([1, 2, 3, 4], [45, 30, 15, 10])[0]
            )
        bucket.runs_left -= 1
        activity = bucket.activity
        structure = bucket.structure
        if bucket.form == "e_learning":
            day = self.dates.day(year)
            run = self.new_run(
                activity,
                "hovedstaden",
                "Online (e-læring)",
                "Online",
                [(day, HALF_DAY[1])],
                "course",
                60,
                national=True,
            )
            return run, rng.randint(14, 28)
        owner = activity.provider
        assert owner is not None  # a bucket's activities are its provider's
        if kind == "regional":
            region = bucket.region or "hovedstaden"
        elif kind in ("luf",) or owner.region is None:
            region = self.rng.choice(list(v.VENUES))
        else:
            region = self._region_by_gps() if kind == "plo_e" else owner.region.code
        venue, town = self.rng.choice(v.VENUES[region])
        run = self.new_run(
            activity,
            region,
            venue,
            town,
            self._schedule(year, structure),
            "course",
            40,
            national=kind == "luf",
        )
        course_days = sum(run.halves) / 2
        if kind == "plo_e":
            planned = round(t.PLO_E_COURSE_DAYS_PER_RUN.value / course_days * rng.uniform(0.6, 1.4))
        elif kind == "regional":
            planned = round(rng.uniform(12, 30))
        else:
            planned = round(rng.uniform(10, 26))
        return run, max(5, planned)

    def _fill(self, year: int, buckets: list[Bucket], fill: bool = True) -> None:
        rng = self.rng
        open_buckets = list(buckets)
        remaining = {id(b): b.halves for b in buckets}
        while open_buckets:
            bucket = rng.choices(open_buckets, [remaining[id(b)] for b in open_buckets])[0]
            run, size = self._make_run(year, bucket)
            per_person = sum(run.halves)
            if bucket.form == "conference":
                per_person = 5
            wanted = max(1, min(size, -(-remaining[id(bucket)] // per_person)))
            if fill:
                got = self._seat(run, wanted, year)
            else:
                got = wanted * per_person
            run.instance.places = max(
                run.instance.places if bucket.form == "conference" else 0,
                -(-(len(run.participants) + rng.randint(2, 10)) // 4) * 4,
                -(-wanted // 4) * 4 + 4,
            )
            remaining[id(bucket)] -= got
            if got == 0:
                bucket.failures += 1
            if remaining[id(bucket)] <= 0 or bucket.failures > 25:
                open_buckets.remove(bucket)

    # ----- choosing participants ------------------------------------------------------------
    def rates(self, day: date) -> Mapping[str, int]:
        return self.params.on(day).ints

    def estimate(self, run: Run, state: State, transport: int, attended: list[bool]) -> tuple[int, int]:
        """The planner's guess of (DKK drawn, half days drawn); the engine decides for real later."""
        r = run.rates
        days = [(d, h) for d, h, a in zip(run.fee_days, run.halves, attended, strict=True) if a]
        se_drawn, drawn_days = 0, 0
        if run.se_ok:
            left = state.se
            for _day, halves in days:
                if left < halves:
                    break
                left -= halves
                se_drawn += halves
                drawn_days += 1
        dkk = 0
        for index, (fee_day, halves) in enumerate(days):
            if index < drawn_days or not fee_day:
                continue
            if run.claim_type == "dge_module":
                dkk += r["fee.dge_module"]
            elif run.claim_type == "dge_meeting":
                dkk += r["fee.dge_meeting"]
            else:
                dkk += r["fee.self_chosen.full"] if halves == 2 else r["fee.self_chosen.half"]
        if se_drawn == 0:
            dkk += min(run.course_fee_ore, r["cap.course_fee.per_day"] * len(days)) + min(
                transport, r["cap.transport.per_block"] * 2
            )
        return dkk, se_drawn

    def transport_for(self, town: str, region: str, run: Run) -> int:
        if run.town == "Online" or run.claim_type == "dge_meeting":
            return 0
        if town == run.town:
            kroner = self.rng.choice([0, 0, 60, 90, 120, 150])
        elif region == run.region_code:
            kroner = self.rng.randint(150, 700)
        else:
            kroner = self.rng.randint(500, 2000)
        return kroner * 100

    def _feasible(
        self, state: State, run: Run, attended: list[bool], strict: bool
    ) -> tuple[int, int, int] | None:
        if not (state.first <= run.first and state.last >= run.last):
            return None
        if any(day in state.busy for day in run.dates):
            return None
        if strict and state.demand <= 0:
            return None
        transport = self.transport_for(state.town, state.region, run)
        dkk, se = self.estimate(run, state, transport, attended)
        if dkk > state.dkk if strict else dkk * 0.4 > state.dkk:
            return None
        return transport, dkk, se

    def _attendance_pattern(self, run: Run) -> list[bool]:
        if run.activity.laegedage and self.rng.random() < 0.4:
            pattern = [True, True, True]
            pattern[self.rng.randrange(3)] = False
            return pattern
        return [True] * len(run.days)

    def _seat(self, run: Run, wanted: int, year: int) -> int:
        rng = self.rng
        got = 0
        taken: set[int] = set()
        for strict, oversample in ((True, 2), (False, 2), (False, 10)):
            if len(run.participants) >= wanted:
                break
            candidates: list[State] = []
            region = self.uncovered.get(run.region_code, [])
            while region and len(candidates) < wanted and strict:
                state = region.pop()
                if not state.covered:
                    candidates.append(state)
            local = self.pool.get(run.region_code, [])
            for source, share in ((local, 0.75 if not run.national else 0.2), (self.everyone, 1.0)):
                k = min(len(source), int(wanted * oversample * share) + 2)
                if k:
                    candidates += rng.sample(source, k)
            candidates.sort(key=lambda s: (s.covered, -s.demand))
            for state in candidates:
                if len(run.participants) >= wanted:
                    break
                if id(state) in taken:
                    continue
                attended = self._attendance_pattern(run)
                result = self._feasible(state, run, attended, strict)
                if result is None:
                    continue
                transport, dkk, se = result
                taken.add(id(state))
                got += self._seat_one(run, state, attended, transport, dkk, se)
        return got

    def _seat_one(
        self, run: Run, state: State, attended: list[bool], transport: int, dkk: int, se: int
    ) -> int:
        halves = sum(h for h, a in zip(run.halves, attended, strict=True) if a)
        state.busy.update(run.dates)
        state.dkk -= dkk
        state.se -= se
        state.demand -= halves
        state.covered = True
        run.participants.append(state.gp)
        fee = run.course_fee_ore
        if fee and self.rng.random() < 0.15:
            fee = fee * self.rng.choice([85, 90, 110, 120]) // 100
        self.planned.append(
            Planned(
                gp=state.gp,
                run=run,
                claim_type=run.claim_type,
                activity_date=run.last,
                filed_on=self._filed(run.last, state.gp),
                course_fee=fee,
                transport=transport,
                attended=attended,
            )
        )
        return halves

    def _filed(self, held: date, gp: Gp) -> date:
        filed = held + timedelta(days=int(self.rng.expovariate(1 / 12)) + 1)
        d = gp.doctor
        if d.active_to is not None and filed.year > held.year:
            filed = date(held.year, 12, 31)
        return min(filed, date(held.year + 1, 12, 31))

    # ----- group-based and other claims -----------------------------------------------------
    def _dge_meetings(self, year: int) -> None:
        rng = self.rng
        fee = self.rates(date(year, 6, 1))["fee.dge_meeting"]
        for group in self.pop.groups:
            if group.model.founded_year > year:
                continue
            low, high = {2020: (4, 5), 2021: (4, 6)}.get(year, t.DGE_MEETINGS_PER_YEAR)  # COVID: fewer
            count = rng.randint(low, high)
            activity = self.new_activity(
                year,
                provider=None,
                topic="other",
                form="dge_meeting",
                title=f"DGE-møder {group.model.name} {year}",
                approval="self_chosen",
                dge_group=group.model,
            )
            slot_time = ((15, 0), (17, 30), 0) if group.daytime else ((19, 0), (21, 30), 0)
            meeting_days = sorted({self.dates.day(year) for _ in range(count)})
            for day in meeting_days:
                host = rng.choice(group.slots).practice
                run = self.new_run(
                    activity,
                    group.model.region.code,
                    host.name,
                    host.town,
                    [(day, slot_time)],
                    "dge_meeting",
                    len(group.slots),
                )
                if not group.daytime:
                    continue
                for slot in group.slots:
                    gp = slot.holder_on(day)
                    state = self.states.get(id(gp)) if gp else None
                    if (
                        gp is None
                        or state is None
                        or rng.random() > t.DGE_ATTENDANCE.value
                        or day in state.busy
                        or state.dkk < fee
                    ):
                        continue
                    state.dkk -= fee
                    state.busy.add(day)
                    state.covered = True
                    run.participants.append(gp)
                    self.planned.append(
                        Planned(
                            gp=gp,
                            run=run,
                            claim_type="dge_meeting",
                            activity_date=day,
                            filed_on=self._filed(day, gp),
                            attended=[True],
                        )
                    )

    def _study_material(self, year: int) -> None:
        rng = self.rng
        last = min(date(year, 12, 31), self.today - timedelta(days=2))
        for state in self.everyone:
            if state.covered and rng.random() > t.STUDY_MATERIAL_CLAIMER_SHARE.value:
                continue
            d = state.gp.doctor
            first = max(date(year, 1, 1), d.active_from)
            end = min(last, d.active_to or last)
            if end < first:
                continue
            bought = first + timedelta(days=rng.randint(0, (end - first).days))
            amount = rng.randint(3, 40) * 10_000
            if state.dkk < amount:
                continue
            state.dkk -= amount
            state.covered = True
            self.planned.append(
                Planned(
                    gp=state.gp,
                    run=None,
                    claim_type="study_material",
                    activity_date=bought,
                    filed_on=self._filed(bought, state.gp),
                    material=amount,
                )
            )

    def _trainee_claims(self, year: int) -> None:
        rng = self.rng
        by_region: dict[str, list[Run]] = defaultdict(list)
        for run in self.runs:
            if run.first.year == year and run.claim_type == "course":
                by_region[run.region_code].append(run)
        for gp in self.pop.trainees:
            d = gp.doctor
            if d.active_from.year != year or rng.random() > 0.55:
                continue
            options = [
                r
                for r in by_region[_practice(d).region.code]
                if d.active_from <= r.first and r.last <= _placement_end(d) and r.last < self.today
            ]
            purchase = [r for r in options if r.activity.practice_purchase]
            if not options:
                continue
            run = (
                rng.choice(purchase)
                if purchase and d.role == "trainee_phase3" and rng.random() < 0.5
                else (rng.choice(options))
            )
            run.participants.append(gp)
            self.planned.append(
                Planned(
                    gp=gp,
                    run=run,
                    claim_type="course",
                    activity_date=run.last,
                    filed_on=self._filed(run.last, gp),
                    course_fee=run.course_fee_ore,
                    transport=self.transport_for(_practice(d).town, _practice(d).region.code, run),
                    attended=[True] * len(run.days),
                )
            )

    def _staff_claims(self, year: int) -> None:
        rng = self.rng
        start = max(date(year, 1, 1), self.params.on(date(year, 12, 31)).dates["staff.scheme_start"])
        if start.year != year:
            return
        runs: dict[str, list[Run]] = defaultdict(list)
        for region in self.ref.regions:
            unit = next(
                name
                for name, p in self.ref.providers.items()
                if p.kind == "regional" and p.region is not None and p.region.code == region
            )
            for index in range(max(1, round(12 * self.scale * self.region_gps[region] / 700 * 5))):
                provider = "PLO Efteruddannelse" if index % 3 == 0 else unit
                pge = index % 4 == 0
                title = ("PGE-modul: " if pge else "") + rng.choice(v.STAFF_COURSE_TITLES)
                activity = self.new_activity(
                    year,
                    provider=provider,
                    topic=rng.choice(
                        ["lung-disease", "diabetes-endocrinology", "infectious-diseases", "other"]
                    ),
                    form="pge" if pge else "staff_course",
                    title=title,
                    approval="self_chosen",
                    price=0 if pge else rng.randint(8, 30) * 10_000,
                    target="staff",
                )
                day = self.dates.day(year, after=start)
                venue, town = self._clinic_venue(region) if pge else rng.choice(v.VENUES[region])
                slot = HALF_DAY[0] if pge else FULL_DAY[0]
                runs[region].append(
                    self.new_run(
                        activity,
                        region,
                        venue,
                        town,
                        [(day, slot)],
                        "pge_module" if pge else "staff_course",
                        24,
                    )
                )
        staff_by_practice: dict[int, list[StaffMember]] = defaultdict(list)
        for member in self.pop.staff:
            staff_by_practice[id(member.practice)].append(member)
        slots_by_practice: dict[int, list[Slot]] = defaultdict(list)
        for held in self.pop.slots:
            slots_by_practice[id(held.practice)].append(held)
        claimed: set[tuple[int, int]] = set()  # a staff member claims a run once
        for practice in self.pop.practices:
            if rng.random() > t.STAFF_CLAIMING_PRACTICE_SHARE.value or not staff_by_practice[id(practice)]:
                continue
            for _ in range(rng.choice([1, 1, 2, 3])):
                member = rng.choice(staff_by_practice[id(practice)])
                drawn = rng.choice(runs[practice.region.code])
                run = next(  # the drawn run, or the next the member has not claimed (same random draws)
                    (r for r in [drawn, *runs[practice.region.code]] if (id(member), id(r)) not in claimed),
                    None,
                )
                if run is None:
                    continue
                holders = [gp for s in slots_by_practice[id(practice)] if (gp := s.holder_on(run.last))]
                if not holders or not member.active:
                    continue
                claimed.add((id(member), id(run)))
                self.planned.append(
                    Planned(
                        gp=holders[0],
                        run=run,
                        claim_type=run.claim_type,
                        activity_date=run.last,
                        filed_on=self._filed(run.last, holders[0]),
                        course_fee=run.course_fee_ore,
                        transport=rng.randint(0, 12) * 10_000,
                        attended=[True],
                        staff=member,
                    )
                )

    # ----- writing and claiming -------------------------------------------------------------
    def write_catalogue(self) -> None:
        """Writes the activities and runs planned since the last write, so that claims can refer to them."""
        activities, decisions, runs = self.written
        new_runs = self.runs[runs:]
        for run in new_runs:
            run.instance.approved_half_days = sum(run.halves)
            run.instance.booked = min(run.instance.places, len(run.participants))
        self.write(Activity, self.activities[activities:])
        self.write(ApprovalDecision, self.decisions[decisions:])
        self.write(ActivityInstance, [run.instance for run in new_runs])
        self.write(ProgrammeDay, [day for run in new_runs for day in run.days])
        self.written = (len(self.activities), len(self.decisions), len(self.runs))

    def _settle(self, year: int) -> int:
        """Submits the claims filed in `year` in date order; a claimant does not file what would be
        rejected. Returns how many were filed."""
        todo = [
            p for p in self.pending + self.planned if p.filed_on.year == year and p.filed_on <= self.today
        ]
        self.pending = [p for p in self.planned if p.filed_on.year > year and p.filed_on <= self.today]
        todo.sort(key=lambda p: (p.filed_on, p.activity_date, p.gp.doctor.cpr))
        claims = submit_claims_in_bulk(claims=[self._bulk_claim(p) for p in todo], file_rejected=False)
        attendances = []
        for planned, claim in zip(todo, claims, strict=True):
            if claim is None:
                continue
            self.claims.append(claim)
            if planned.run is not None and planned.staff is None:
                attendances.append(Attendance(instance=planned.run.instance, doctor=planned.gp.doctor))
        self.write(Attendance, attendances)
        return len(claims) - claims.count(None)

    def _bulk_claim(self, p: Planned) -> BulkClaim:
        """What the claimant enters for a planned claim, with the status it has reached by today."""
        if p.run is None:
            request = ClaimRequest(
                material_ore=p.material, purchased_on=p.activity_date, description=STUDY_MATERIAL
            )
        else:
            attended = p.attended or []
            request = ClaimRequest(
                instance=p.run.instance,
                attended=None
                if all(attended)
                else [day.date for day, a in zip(p.run.days, attended, strict=True) if a],
                course_fee_ore=p.course_fee,
                transport_ore=p.transport,
                staff_member=p.staff,
            )
        if p.staff is None and self.rng.random() < 0.25:
            request.payee = Claim.Payee.PRACTICE
        recent = p.filed_on >= self.today - timedelta(days=RECENT_DAYS)
        return BulkClaim(
            claimant=p.gp.doctor,
            request=request,
            filed_on=p.filed_on,
            public_id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            status=Claim.Status.DECIDED if recent else Claim.Status.PAID,
        )
