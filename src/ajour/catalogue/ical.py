"""An iCalendar (RFC 5545) feed of catalogue runs: one event per programme day, times in UTC."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from ajour.catalogue.models import Activity, ActivityInstance

DANISH_TIME = ZoneInfo("Europe/Copenhagen")
PRODID = "-//Ajour//Course catalogue//DA"


def escape(text: str) -> str:
    """TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and a space (§3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, size = [], "", 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with one space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(day: date, at: time) -> str:
    local = datetime.combine(day, at, tzinfo=DANISH_TIME)
    return local.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def calendar(instances: Iterable[ActivityInstance], *, url_for: Callable[[Activity], str], host: str) -> str:
    """The VCALENDAR text; `url_for(activity)` gives the absolute detail-page URL."""
    stamp = timezone.now().astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for instance in instances:
        activity = instance.activity
        title = f"{activity.number or ''} {activity.title}".strip()
        for day in instance.days.all():
            lines += [
                "BEGIN:VEVENT",
                f"UID:instance-{instance.pk}-{day.date:%Y%m%d}@{host}",
                f"DTSTAMP:{stamp}",
                f"DTSTART:{_utc(day.date, day.starts_at)}",
                f"DTEND:{_utc(day.date, day.ends_at)}",
                f"SUMMARY:{escape(title)}",
                f"LOCATION:{escape(f'{instance.venue}, {instance.town}')}",
                f"URL:{url_for(activity)}",
                f"DESCRIPTION:{escape(activity.description[:500])}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
