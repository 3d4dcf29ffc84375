"""English and Danish texts for reasons and line details, rendered from the facts a decision holds.

Money is written ``4,000.00 DKK`` in English and ``4.000,00 kr.`` in Danish, with a plain ASCII
space before the currency in both (not babel's no-break space), so that scripts can match it.
Dates are ISO ``YYYY-MM-DD`` in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from string import Formatter

from ajour.rules.decide import SYSTEMATIC, Basis, Line, Reason

LANGUAGES = ("en", "da")


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    thousands: str
    decimal: str
    currency: str
    """Printed after the amount: ``DKK`` or ``kr.``."""
    reasons: Mapping[str, str]
    """A ``str.format`` template per reason code (see :func:`reason_message` for the fields)."""
    units: Mapping[str, tuple[str, str]]
    """Singular and plural of each line basis unit."""
    names: Mapping[str, str]
    """Roles, professions and line items."""
    details: Mapping[str, str]
    """Templates for line details."""
    _money: dict[int, str] = field(default_factory=dict, compare=False, repr=False)
    """Amounts already written (the same rates and caps recur in every decision)."""

    def money(self, ore: int) -> str:
        text = self._money.get(ore)
        if text is None:
            kroner, rest = divmod(ore, 100)
            text = f"{kroner:,}".replace(",", self.thousands) + f"{self.decimal}{rest:02d} {self.currency}"
            if len(self._money) < _MONEY_CACHE:
                self._money[ore] = text
        return text

    def number(self, value: float) -> str:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", self.decimal)

    def count(self, count: int, unit: str) -> str:
        singular, plural = self.units[unit]
        return f"{count} {singular if count == 1 else plural}"


_MONEY_CACHE = 10_000

_ACTIVITY_ID_CODES = frozenset({"NOT_APPROVED", "NOT_SYSTEMATIC"})
"""Codes whose text is the claim's activity id, shown as given (an id such as ``other`` is not a name)."""


def _dates(dates: Sequence[date]) -> str:
    return ", ".join(day.isoformat() for day in dates)


def _duration(minutes: float) -> str:
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")


def reason_message(reason: Reason, language: Language) -> str:
    """The reason's message. Template fields: ``dates`` (all, joined), ``d0``…, ``a0``… (money),
    ``n0``… (numbers), ``t0``… (names of roles, professions and ids), ``items``, ``duration``.
    Only the fields the template names are written."""
    template = language.reasons[reason.code]
    if reason.code == "NO_QUALIFYING_DAY" and not reason.dates:
        template = language.reasons["NO_QUALIFYING_DAY_NO_DAYS"]
    fields: dict[str, str] = {}
    for name, kind, index in _fields(template):
        if kind == "dates":
            fields[name] = _dates(reason.dates)
        elif kind == "d":
            fields[name] = reason.dates[index].isoformat()
        elif kind == "a":
            fields[name] = language.money(reason.amounts[index])
        elif kind == "n":
            fields[name] = language.number(reason.numbers[index])
        elif kind == "t":
            text = reason.texts[index]
            fields[name] = text if reason.code in _ACTIVITY_ID_CODES else language.names.get(text, text)
        elif kind == "items":
            fields[name] = ", ".join(language.names[text] for text in reason.texts if text in language.names)
        else:
            fields[name] = _duration(reason.numbers[-1])
    return template.format_map(fields)


_TEMPLATE_FIELDS: dict[str, tuple[tuple[str, str, int], ...]] = {}


def _fields(template: str) -> tuple[tuple[str, str, int], ...]:
    """The fields a template names, as (name, kind, index): kind ``d``, ``a``, ``n`` or ``t`` with an
    index, or ``dates``, ``items`` or ``duration``."""
    found = _TEMPLATE_FIELDS.get(template)
    if found is None:
        names = dict.fromkeys(name for _text, name, _spec, _conversion in Formatter().parse(template) if name)
        found = tuple(
            (name, name, 0) if name in ("dates", "items", "duration") else (name, name[0], int(name[1:]))
            for name in names
        )
        _TEMPLATE_FIELDS[template] = found
    return found


def line_detail(line: Line, language: Language) -> str:
    """How the line's amount was found, e.g. ``2 full course weekdays × 4,000.00 DKK``."""
    details = language.details
    if line.item == "material":
        share, used = line.basis
        text = details["material"].format(
            share=language.number(share.number / 100),
            allocation=language.money(share.rate_ore),
            used=language.money(used.rate_ore),
            limit=language.money(line.cap_ore or 0),
            requested=language.money(line.requested_ore or 0),
        )
    elif line.requested_ore is None:
        text = " + ".join(_times(part, language) for part in line.basis)
        if line.account == SYSTEMATIC:
            text += details["systematic"]
    else:
        (part,) = line.basis
        text = details["capped"].format(
            basis=_times(part, language),
            cap=language.money(line.cap_ore or 0),
            requested=language.money(line.requested_ore),
        )
    return text + (details["balance_cut"] if line.balance_cut else "")


def _times(part: Basis, language: Language) -> str:
    return f"{language.count(part.number, part.unit)} × {language.money(part.rate_ore)}"


ENGLISH = Language(
    code="en",
    thousands=",",
    decimal=".",
    currency="DKK",
    reasons={
        "NO_ACCOUNT": "No subsidy without an FAP account (claimant: {t0}).",
        "WRONG_CLAIMANT": "Staff claims are made by a GP owner or an employed GP, not by a {t0}.",
        "NOT_APPROVED": "Activity {t0} is not approved for subsidy.",
        "NOT_YET_HELD": "Filed on {d1}, before the activity date {d0}: claim after the activity.",
        "DEADLINE_PASSED": "An activity dated {d0} had to be claimed by {d1}; this claim was filed on {d2}.",
        "NO_QUALIFYING_DAY": "No attended day qualifies: {dates}.",
        "NO_QUALIFYING_DAY_NO_DAYS": "No programme day was attended.",
        "DAY_TOO_SHORT": (
            "Less than {duration} effective time inside the fee window, so not a course day: {dates}."
        ),
        "NOT_A_WEEKDAY": "No fee on weekends and public holidays: {dates}.",
        "TRAINEE_NO_FEE": "Trainees get no CME fee (phase III only for a practice-purchase course): {dates}.",
        "NOT_SYSTEMATIC": (
            "Activity {t0} is approved only as systematic CME, which a trainee cannot be paid for."
        ),
        "SYSTEMATIC_DAYS_EXHAUSTED": (
            "The {n0} systematic days left do not cover these days, so they are paid from the self-chosen "
            "account at self-chosen rates: {dates}."
        ),
        "COURSE_FEE_CAPPED": "The course fee is capped at {a0} per course day. Course days: {n0}, cap {a1}.",
        "TRANSPORT_CAPPED": "Transport is capped at {a0} per block of course days. Blocks: {n0}, cap {a1}.",
        "MATERIAL_CAPPED": (
            "Study material is limited to {n0} % of the annual allocation of {a1}, "
            "less {a2} already reimbursed: {a0}."
        ),
        "BALANCE_EXCEEDED": "The account balance does not cover the whole claim; reduced: {items}.",
        "STAFF_NOT_ELIGIBLE": (
            "Staff must work at least {duration} a week in a health profession or as a medical secretary "
            "(here: {t0}, {n0} hours a week)."
        ),
        "SCHEME_NOT_IN_FORCE": "The staff scheme covers activities from {d0}; this activity is dated {d1}.",
        "NOTHING_TO_PAY": "Nothing to pay: no amount was claimed or approved.",
    },
    units={
        "full": ("full course weekday", "full course weekdays"),
        "half": ("half course weekday", "half course weekdays"),
        "module": ("DGE module", "DGE modules"),
        "meeting": ("DGE meeting", "DGE meetings"),
        "pge_module": ("PGE module", "PGE modules"),
        "course_day": ("course day", "course days"),
        "block": ("block of course days", "blocks of course days"),
    },
    names={
        "gp_owner": "GP owner",
        "gp_employed": "employed GP",
        "trainee_phase2": "trainee in phase II",
        "trainee_phase3": "trainee in phase III",
        "locum": "locum",
        "nurse": "nurse",
        "medical_secretary": "medical secretary",
        "laboratory_technician": "laboratory technician",
        "physiotherapist": "physiotherapist",
        "midwife": "midwife",
        "health_care_assistant": "health care assistant",
        "other_health_professional": "other health professional",
        "medical_student": "medical student",
        "trainee_doctor": "trainee doctor",
        "other": "other",
        "fee": "fee",
        "course_fee": "course fee",
        "transport": "transport",
        "material": "study material",
        "lost_earnings": "lost earnings",
    },
    details={
        "systematic": " at systematic rates",
        "capped": "{basis} = {cap} cap; claimed {requested}",
        "material": "{share} % of the {allocation} allocation less "
        "{used} already reimbursed = {limit} limit; "
        "claimed {requested}",
        "balance_cut": "; cut to the balance left",
    },
)

DANISH = Language(
    code="da",
    thousands=".",
    decimal=",",
    currency="kr.",
    reasons={
        "NO_ACCOUNT": "Intet tilskud uden en konto i FAP (ansøger: {t0}).",
        "WRONG_CLAIMANT": (
            "Ansøgninger for personale indsendes af en praktiserende eller ansat læge, ikke af en {t0}."
        ),
        "NOT_APPROVED": "Aktivitet {t0} er ikke godkendt til tilskud.",
        "NOT_YET_HELD": "Indsendt {d1}, før aktivitetens dato {d0}: søg efter aktiviteten.",
        "DEADLINE_PASSED": (
            "En aktivitet dateret {d0} skulle søges senest {d1}; ansøgningen blev indsendt {d2}."
        ),
        "NO_QUALIFYING_DAY": "Ingen deltagelsesdag tæller: {dates}.",
        "NO_QUALIFYING_DAY_NO_DAYS": "Der er ingen dag med deltagelse.",
        "DAY_TOO_SHORT": "Under {duration} effektiv tid inden for tidsvinduet, så ingen kursusdag: {dates}.",
        "NOT_A_WEEKDAY": "Intet honorar på weekend- og helligdage: {dates}.",
        "TRAINEE_NO_FEE": (
            "Praksisamanuenser får intet honorar (fase 3 kun for et praksiskøbskursus): {dates}."
        ),
        "NOT_SYSTEMATIC": "Aktivitet {t0} er kun godkendt som systematisk efteruddannelse, som en "
        "praksisamanuensis ikke kan få tilskud til.",
        "SYSTEMATIC_DAYS_EXHAUSTED": (
            "De {n0} resterende systematiske dage dækker ikke disse dage, så de betales af den selvvalgte "
            "konto til selvvalgte takster: {dates}."
        ),
        "COURSE_FEE_CAPPED": "Kursusafgiften har et loft på {a0} pr. kursusdag. Kursusdage: {n0}, loft {a1}",
        "TRANSPORT_CAPPED": "Transport har et loft på {a0} pr. blok af kursusdage. Blokke: {n0}, loft {a1}",
        "MATERIAL_CAPPED": (
            "Studiemateriale er begrænset til {n0} % af den årlige tildeling på {a1}, "
            "minus {a2} allerede udbetalt: {a0}"
        ),
        "BALANCE_EXCEEDED": "Saldoen på kontoen dækker ikke hele ansøgningen; nedsat: {items}.",
        "STAFF_NOT_ELIGIBLE": (
            "Personale skal arbejde mindst {duration} om ugen med en sundhedsfaglig uddannelse eller som "
            "lægesekretær (her: {t0}, {n0} timer om ugen)."
        ),
        "SCHEME_NOT_IN_FORCE": (
            "Personaleordningen gælder aktiviteter fra {d0}; denne aktivitet er dateret {d1}."
        ),
        "NOTHING_TO_PAY": "Intet at udbetale: der er ikke søgt eller godkendt noget beløb.",
    },
    units={
        "full": ("hel kursushverdag", "hele kursushverdage"),
        "half": ("halv kursushverdag", "halve kursushverdage"),
        "module": ("DGE-modul", "DGE-moduler"),
        "meeting": ("DGE-møde", "DGE-møder"),
        "pge_module": ("PGE-modul", "PGE-moduler"),
        "course_day": ("kursusdag", "kursusdage"),
        "block": ("blok af kursusdage", "blokke af kursusdage"),
    },
    names={
        "gp_owner": "praktiserende læge",
        "gp_employed": "ansat læge",
        "trainee_phase2": "praksisamanuensis i fase 2",
        "trainee_phase3": "praksisamanuensis i fase 3",
        "locum": "vikar",
        "nurse": "sygeplejerske",
        "medical_secretary": "lægesekretær",
        "laboratory_technician": "laborant",
        "physiotherapist": "fysioterapeut",
        "midwife": "jordemoder",
        "health_care_assistant": "social- og sundhedsassistent",
        "other_health_professional": "anden sundhedsfaglig",
        "medical_student": "medicinstuderende",
        "trainee_doctor": "læge under uddannelse",
        "other": "andet",
        "fee": "honorar",
        "course_fee": "kursusafgift",
        "transport": "transport",
        "material": "studiemateriale",
        "lost_earnings": "tabt arbejdsfortjeneste",
    },
    details={
        "systematic": " til systematiske takster",
        "capped": "{basis} = loft {cap}; søgt {requested}",
        "material": "{share} % af tildelingen på {allocation} minus "
        "{used} allerede udbetalt = grænse {limit}; "
        "søgt {requested}",
        "balance_cut": "; nedsat til den resterende saldo",
    },
)

BY_CODE = {language.code: language for language in (ENGLISH, DANISH)}
