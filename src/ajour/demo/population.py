"""The people and places: regions, practices with doctor slots, doctors over time, staff, clusters, groups.

A practice has *slots* (owner or employed positions). Each slot is held by a sequence of doctors over
2019–2027: when one leaves, a successor takes over after a gap. Group memberships belong to slots, so
the member at a meeting is whoever holds the slot that day.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from ajour.accounts.models import Doctor, Practice, Region, StaffMember
from ajour.demo import targets as t
from ajour.demo import vocabulary as v
from ajour.groups.models import Cluster, DgeGroup

START = date(2019, 1, 1)
END = date(2027, 12, 31)
CPR_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVXZ"


@dataclass(eq=False)
class Gp:
    """A doctor with the traits that steer how often and how much they take part."""

    doctor: Doctor
    slot: Slot | None
    propensity: float = 0.0
    appetite: float = 1.0


@dataclass(eq=False)
class Slot:
    practice: Practice
    role: str
    holders: list[Gp] = field(default_factory=list)

    def holder_on(self, day: date) -> Gp | None:
        for gp in self.holders:
            d = gp.doctor
            if d.active_from <= day and (d.active_to is None or d.active_to >= day):
                return gp
        return None


@dataclass(eq=False)
class Group:
    model: DgeGroup
    slots: list[Slot]
    daytime: bool
    current_members: list[Doctor] = field(default_factory=list)


@dataclass
class Population:
    regions: dict[str, Region]
    practices: list[Practice]
    slots: list[Slot]
    gps: list[Gp]
    trainees: list[Gp]
    staff: list[StaffMember]
    clusters: list[Cluster]
    groups: list[Group]

    def all_doctors(self) -> list[Gp]:
        return self.gps + self.trainees


def overlaps(doctor: Doctor, first: date, last: date) -> bool:
    return doctor.active_from <= last and (doctor.active_to is None or doctor.active_to >= first)


class Names:
    """Unique, impossible CPR numbers (month 21–32), authorisation ids and Danish names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cprs: set[str] = set()
        self.auth_ids: set[str] = set()
        self._last = [name for name, _w in v.LAST_NAMES]
        self._last_weights = [w for _n, w in v.LAST_NAMES]

    def person(self, sex: str) -> tuple[str, str]:
        rng = self.rng
        other = rng.random() < 0.07
        if sex == "m":
            first = rng.choice(v.OTHER_MALE_FIRST if other else v.MALE_FIRST)
        else:
            first = rng.choice(v.OTHER_FEMALE_FIRST if other else v.FEMALE_FIRST)
        last = rng.choice(v.OTHER_LAST_NAMES) if other else rng.choices(self._last, self._last_weights)[0]
        if not other and rng.random() < 0.12:
            last = f"{rng.choices(self._last, self._last_weights)[0]} {last}".replace(f"{last} {last}", last)
        return first, last

    def cpr(self, birth_year: int, sex: str) -> str:
        while True:
            serial = self.rng.randrange(1000, 10000)
            serial += (serial % 2 == 0) if sex == "m" else (serial % 2 == 1)  # odd last digit for men
            if serial > 9999:
                serial -= 2
            day, month = self.rng.randint(1, 28), self.rng.randint(21, 32)  # month 21-32: no real CPR has it
            value = f"{day:02d}{month:02d}{birth_year % 100:02d}{serial:04d}"
            if value not in self.cprs:
                self.cprs.add(value)
                return value

    def authorisation_id(self) -> str:
        while True:
            value = "".join(self.rng.choice(CPR_ALPHABET) for _ in range(5))
            if value not in self.auth_ids:
                self.auth_ids.add(value)
                return value


def build_population(rng: random.Random, scale: float, regions: dict[str, Region], today: date) -> Population:
    names = Names(rng)
    population_total = sum(x.value for x in t.REGION_POPULATION.values())
    region_share = {code: t.REGION_POPULATION[code].value / population_total for code in regions}
    practices, slots = _practices(rng, scale, regions, region_share, names)
    gps = _doctors(rng, slots, names)
    _adjust_to_target(rng, scale, slots, gps, names)
    trainees = _trainees(rng, scale, practices, names, today)
    staff = _staff(rng, practices, names)
    clusters = _clusters(rng, scale, regions, practices, slots)
    groups = _groups(rng, scale, regions, slots, today)
    return Population(regions, practices, slots, gps, trainees, staff, clusters, groups)


def _town(rng: random.Random, region_code: str) -> tuple[str, str]:
    towns = v.TOWNS[region_code]
    town, postcode, _size = rng.choices(towns, [size for _t, _p, size in towns])[0]
    return town, postcode


def _practices(
    rng: random.Random, scale: float, regions: dict[str, Region], share: dict[str, float], names: Names
) -> tuple[list[Practice], list[Slot]]:
    total = round(t.PRACTICES.value * scale)
    numbers = rng.sample(range(100_000, 1_000_000), total)
    practices: list[Practice] = []
    slots: list[Slot] = []
    region_codes = list(regions)
    for index in range(total):
        code = rng.choices(region_codes, [share[c] for c in region_codes])[0]
        town, postcode = _town(rng, code)
        draw = rng.random()
        if draw < t.REGIONAL_CLINIC_SHARE.value:
            form, owners, employed = Practice.Form.REGIONAL, 0, rng.choice([1, 2, 2, 3])
            name = rng.choice(
                [
                    f"Regionsklinikken {town}",
                    f"Lægeklinikken {town} (regionsklinik)",
                    f"Udbudsklinikken {town}",
                ]
            )
        elif draw < t.REGIONAL_CLINIC_SHARE.value + t.SINGLE_HANDED_SHARE.value:
            form, owners, employed = Practice.Form.SINGLE, 1, int(rng.random() < 0.05)
            first, last = names.person(rng.choice("mf"))
            name = rng.choice(
                [f"Læge {first} {last}", f"Lægepraksis {last}", f"Lægeklinikken {rng.choice(v.STREETS)}"]
            )
        else:
            form = Practice.Form.PARTNERSHIP
            owners = rng.choices([2, 3, 4, 5, 6], [64, 26, 7, 2, 1])[0]
            employed = rng.choices([0, 1, 2], [86, 12, 2])[0]
            name = rng.choice(
                [
                    f"Lægerne {rng.choice(v.STREETS)}",
                    f"Lægehuset {town}",
                    f"Lægerne i {town}",
                    f"Lægecentret {town}",
                    f"{town} Lægehus",
                ]
            )
        practice = Practice(
            provider_number=f"{numbers[index]:06d}",
            name=name,
            town=town,
            postcode=postcode,
            region=regions[code],
            form=form,
            doctor_capacities=max(1, owners + employed),
        )
        practices.append(practice)
        slots += [Slot(practice, Doctor.Role.GP_OWNER) for _ in range(owners)]
        slots += [Slot(practice, Doctor.Role.GP_EMPLOYED) for _ in range(employed)]
    return practices, slots


def _new_doctor(
    rng: random.Random, names: Names, role: str, practice: Practice, start: date, birth_year: int
) -> Doctor:
    female_share = 0.45 if birth_year < 1965 else 0.58 if birth_year < 1980 else 0.68
    sex = "f" if rng.random() < female_share else "m"
    first, last = names.person(sex)
    return Doctor(
        cpr=names.cpr(birth_year, sex),
        authorisation_id=names.authorisation_id(),
        first_name=first,
        last_name=last,
        sex=sex,
        birth_year=birth_year,
        role=role,
        practice=practice,
        active_from=start,
        email=f"{first}.{last}".lower().replace(" ", "").replace("-", "") + "@example.dk",
    )


def _gp(rng: random.Random, doctor: Doctor, slot: Slot | None) -> Gp:
    """Propensity: single-handed and male GPs take part less often (S48, domain.md §11)."""
    propensity = rng.gauss(0, 1)
    if doctor.sex == "m":
        propensity -= 0.35
    if slot is not None and slot.practice.form == Practice.Form.SINGLE:
        propensity -= 0.45
    appetite = max(0.15, rng.lognormvariate(0, 0.45) * (1 + 0.15 * propensity))
    return Gp(doctor=doctor, slot=slot, propensity=propensity, appetite=appetite)


def _doctors(rng: random.Random, slots: list[Slot], names: Names) -> list[Gp]:
    gps: list[Gp] = []
    for slot in slots:
        owner = slot.role == Doctor.Role.GP_OWNER
        if rng.random() < 1 - t.NEW_CAPACITY_2024.value:
            start = START - timedelta(days=rng.randint(200, 9000 if owner else 1500))
        else:  # new capacity in 2024: the growth from 2023 (S48's 3,257) to 2024 (seed 1's 3,486)
            start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 300))
        while start <= END:
            birth_year = min(1994, start.year - rng.randint(31, 44))
            doctor = _new_doctor(rng, names, slot.role, slot.practice, start, birth_year)
            gp = _gp(rng, doctor, slot)
            slot.holders.append(gp)
            gps.append(gp)
            rate = t.YEARLY_LEAVE_RATE_OWNER.value if owner else t.YEARLY_LEAVE_RATE_EMPLOYED.value
            retire_year = birth_year + rng.randint(64, 71)
            leave = max(start, START) + timedelta(days=int(rng.expovariate(rate) * 365) + 30)
            if owner and leave.year > retire_year:
                leave = date(retire_year, rng.randint(1, 12), 1) - timedelta(days=1)
            leave = max(leave, max(start, START) + timedelta(days=60))
            if leave > END:
                break
            doctor.active_to = leave
            start = leave + timedelta(days=1 if rng.random() < 0.5 else rng.randint(15, 150))
    return gps


def _adjust_to_target(
    rng: random.Random, scale: float, slots: list[Slot], gps: list[Gp], names: Names
) -> None:
    """Moves 2024 joiners to 2025, or adds employed GPs joining in 2024, until 2024's count is on target."""
    first, last = date(2024, 1, 1), date(2024, 12, 31)
    target = round(t.ELIGIBLE_GPS_2024.value * scale)
    count = sum(overlaps(gp.doctor, first, last) for gp in gps)
    joiners = [gp for gp in gps if gp.doctor.active_from.year == 2024 and gp.doctor.active_to is None]
    rng.shuffle(joiners)
    while count > target and joiners:
        doctor = joiners.pop().doctor
        doctor.active_from = doctor.active_from.replace(year=2025, day=min(doctor.active_from.day, 28))
        count -= 1
    partnerships = [s.practice for s in slots if s.practice.form == Practice.Form.PARTNERSHIP]
    while count < target:
        practice = rng.choice(partnerships)
        slot = Slot(practice, Doctor.Role.GP_EMPLOYED)
        practice.doctor_capacities += 1
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 360))
        gp = _gp(rng, _new_doctor(rng, names, slot.role, practice, start, rng.randint(1982, 1994)), slot)
        slot.holders.append(gp)
        slots.append(slot)
        gps.append(gp)
        count += 1


def _trainees(
    rng: random.Random, scale: float, practices: list[Practice], names: Names, today: date
) -> list[Gp]:
    training = [p for p in practices if p.form == Practice.Form.PARTNERSHIP]
    trainees: list[Gp] = []
    for year in range(START.year, today.year + 1):
        for role, months, start_months in (
            (Doctor.Role.TRAINEE_PHASE2, 6, (2, 8)),
            (Doctor.Role.TRAINEE_PHASE3, 12, (3, 9)),
        ):
            for index in range(round(t.TRAINEE_STARTS_PER_YEAR[role].value * scale)):
                month = start_months[index % 2]
                start = date(year, month, 1)
                end_month = month + months
                end = date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) - timedelta(days=1)
                doctor = _new_doctor(rng, names, role, rng.choice(training), start, rng.randint(1986, 1997))
                doctor.active_to = end
                trainees.append(Gp(doctor=doctor, slot=None, appetite=0.3))
    return trainees


def _staff(rng: random.Random, practices: list[Practice], names: Names) -> list[StaffMember]:
    staff: list[StaffMember] = []
    professions = [p for p, _w, _h in v.STAFF_PROFESSIONS]
    weights = [w for _p, w, _h in v.STAFF_PROFESSIONS]
    usual_hours = {p: h for p, _w, h in v.STAFF_PROFESSIONS}
    for practice in practices:
        for _ in range(1 + round(practice.doctor_capacities * rng.uniform(0.9, 1.7))):
            profession = rng.choices(professions, weights)[0]
            hours = usual_hours[profession] + rng.choice([-8, -4, 0, 0, 3, 5])
            if rng.random() < 0.06:
                hours = rng.choice([10, 12, 15, 18])
            first, last = names.person("f" if rng.random() < 0.9 else "m")
            staff.append(
                StaffMember(
                    practice=practice,
                    name=f"{first} {last}",
                    profession=profession,
                    weekly_hours=max(6, min(40, hours)),
                    active=rng.random() < 0.95,
                )
            )
    return staff


def _gps_2024(slot: Slot) -> int:
    return sum(overlaps(gp.doctor, date(2024, 1, 1), date(2024, 12, 31)) for gp in slot.holders)


def _clusters(
    rng: random.Random, scale: float, regions: dict[str, Region], practices: list[Practice], slots: list[Slot]
) -> list[Cluster]:
    gp_count: dict[int, int] = {}
    for slot in slots:
        gp_count[id(slot.practice)] = gp_count.get(id(slot.practice), 0) + _gps_2024(slot)
    total_gps = sum(gp_count.values())
    per_region = {code: [p for p in practices if p.region is region] for code, region in regions.items()}
    region_gps = {code: sum(gp_count[id(p)] for p in ps) for code, ps in per_region.items()}
    n_clusters = _apportion(round(t.CLUSTERS.value * scale), region_gps)
    patients_per_gp = t.GROUP1_PATIENTS.value * scale / (total_gps * t.CLUSTER_SHARE_OF_GPS.value)
    clusters: list[Cluster] = []
    low, high = t.CLUSTER_SIZE_RANGE
    for code, members in per_region.items():
        outside = max(0, round(region_gps[code] * (1 - t.CLUSTER_SHARE_OF_GPS.value)))
        ordered = sorted(members, key=lambda p: (p.postcode, p.provider_number))
        shuffled = list(ordered)
        rng.shuffle(shuffled)
        excluded: set[int] = set()
        for practice in shuffled:
            if outside <= 0:
                break
            if gp_count[id(practice)] <= outside:
                excluded.add(id(practice))
                outside -= gp_count[id(practice)]
        included = [p for p in ordered if id(p) not in excluded]
        gps_in = sum(gp_count[id(p)] for p in included)
        k = n_clusters[code]
        weights = [rng.lognormvariate(0, 0.45) for _ in range(k)]
        sizes = [min(high - 4, max(low + 5, gps_in * w / sum(weights))) for w in weights]
        sizes = [s * gps_in / sum(sizes) for s in sizes]
        index, filled, assigned, region_clusters = 0, 0.0, 0, []
        used_names: dict[str, int] = {}
        for size in sizes:
            cluster = Cluster(name="", region=regions[code])
            region_clusters.append(cluster)
            filled += size
            first_town = None
            while index < len(included) and assigned < filled - 0.5:
                included[index].cluster = cluster
                assigned += gp_count[id(included[index])]
                first_town = first_town or included[index].town
                index += 1
            base = f"Klynge {first_town or regions[code].name}"
            used_names[base] = used_names.get(base, 0) + 1
            suffixes = ["", " Nord", " Syd", " Øst", " Vest", " Midt", " Centrum", " By", " Land"]
            number = used_names[base] - 1
            cluster.name = base + (suffixes[number] if number < len(suffixes) else f" {number}")
        for practice in included[index:]:
            practice.cluster = region_clusters[-1]
        clusters += region_clusters
    sizes_by_cluster: dict[int, int] = {}
    for p in practices:
        if p.cluster is not None:
            sizes_by_cluster[id(p.cluster)] = sizes_by_cluster.get(id(p.cluster), 0) + gp_count[id(p)]
    for cluster in clusters:
        cluster.group1_patients = round(
            sizes_by_cluster.get(id(cluster), 0) * patients_per_gp * rng.uniform(0.9, 1.1)
        )
    return clusters


def _apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Splits `total` by weight (largest remainders), at least one each."""
    whole = sum(weights.values())
    raw = {k: total * w / whole for k, w in weights.items()}
    result = {k: max(1, int(x)) for k, x in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - int(raw[k]), reverse=True):
        if sum(result.values()) >= total:
            break
        result[k] += 1
    return result


def _groups(
    rng: random.Random, scale: float, regions: dict[str, Region], slots: list[Slot], today: date
) -> list[Group]:
    current = {
        code: [s for s in slots if s.practice.region is region and s.holder_on(today)]
        for code, region in regions.items()
    }
    midt = round(t.DGE_GROUPS_MIDTJYLLAND.value * scale)
    counts = {
        code: midt
        if code == "midtjylland"
        else round(midt * len(current[code]) / len(current["midtjylland"]))
        for code in regions
    }
    groups: list[Group] = []
    for code, region in regions.items():
        ordered = sorted(current[code], key=lambda s: (s.practice.postcode, s.practice.provider_number))
        low, high = t.DGE_GROUP_SIZES.get(code, t.DGE_GROUP_SIZES["default"])
        sizes = [
            min(high, rng.choices(range(5, 16), [20, 25, 20, 13, 8, 6, 3, 3, 1, 1, 1])[0])
            for _ in range(counts[code])
        ]
        unique_pool = ordered[: int(len(ordered) * 0.85)]
        cursor = rng.randrange(len(ordered))
        chunk = max(1, len(unique_pool) // max(1, counts[code]))
        for number, size in enumerate(sizes, start=1):
            members = unique_pool[(number - 1) * chunk : number * chunk][:size]
            while len(members) < size:
                extra = ordered[cursor % len(ordered)]
                cursor += rng.randint(1, 7)
                if extra not in members:
                    members.append(extra)
            town = members[0].practice.town
            founded = rng.randint(1996, 2018) if rng.random() < 0.85 else rng.randint(2019, 2024)
            grant = t.DGE_GRANT_ORE.get(code, t.DGE_GRANT_ORE["default"]).value
            model = DgeGroup(
                name=f"DGE-gruppe {town} {number}",
                region=region,
                founded_year=founded,
                yearly_grant_ore=int(grant),
            )
            group = Group(model=model, slots=members, daytime=rng.random() < t.DGE_DAYTIME_SHARE.value)
            group.current_members = [gp.doctor for s in members if (gp := s.holder_on(today))]
            model.leader = group.current_members[0]
            groups.append(group)
    return groups
