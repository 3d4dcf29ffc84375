"""`ajour accounts allocate|close-year|remind-employment|create-token`: the yearly runs."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ajour.accounts import services
from ajour.accounts.models import User


class Command(BaseCommand):
    help = "Yearly account runs. Every run is idempotent: running it again books nothing new."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("allocate", "Book the year's allocations (owners, confirmed employed GPs, trainees, clinics)."),
            ("close-year", "Carry over at most one year's allocation per sub-account and forfeit the rest."),
            ("remind-employment", "Remind employed GPs without a confirmed contract for the year."),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument("--year", type=int, required=True)
        token = sub.add_parser("create-token", help="Create an API token for a user (printed once).")
        token.add_argument("--username", required=True)
        token.add_argument("--name", default="Clinic system")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        started = time.perf_counter()
        if action == "create-token":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user named {options['username']!r}.")
            self.stdout.write(services.create_api_token(user=user, name=str(options["name"])))
            return
        year = int(options["year"])
        if action == "allocate":
            result = services.allocate_year(year=year)
            summary = f"{result.booked} entries booked for {result.holders} holders"
        elif action == "close-year":
            try:
                result = services.close_year(year=year)
            except services.AccountError as refused:
                raise CommandError(str(refused)) from refused
            summary = f"{result.booked} entries booked for {result.holders} sub-accounts"
        else:
            summary = f"{services.remind_employment(year=year)} reminders sent"
        self.stdout.write(f"{action} {year}: {summary} in {time.perf_counter() - started:.1f} s")
