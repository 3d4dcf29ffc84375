"""`ajour catalogue refresh-previews [--all]` and `ajour catalogue notify-at-risk --year Y [--on DATE]`.

refresh-previews caches what a GP can claim per run (after bulk loads); without `--all` only upcoming
approved runs that have no preview yet (what the catalogue shows). notify-at-risk tells GPs with money at
risk at the year end, with courses near them that still have seats (run in October and December).
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandParser

from ajour.catalogue.outreach import notify_at_risk
from ajour.catalogue.services import refresh_missing_claimables


class Command(BaseCommand):
    help = "Catalogue runs: claim previews of approved runs; notices of money at risk with courses nearby."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        previews = sub.add_parser("refresh-previews", help="Compute the cached claim preview of runs.")
        previews.add_argument(
            "--all", action="store_true", help="Recompute every approved run, past ones too."
        )
        notices = sub.add_parser(
            "notify-at-risk", help="Tell GPs with money at risk at the year end (e-mail and their page)."
        )
        notices.add_argument("--year", type=int, required=True)
        notices.add_argument(
            "--on", type=date.fromisoformat, default=None, help="Notice date (default today)."
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "notify-at-risk":
            on = options["on"]
            assert on is None or isinstance(on, date)
            sent = notify_at_risk(year=int(str(options["year"])), on=on)
            self.stdout.write(f"notify-at-risk {options['year']}: {sent} e-mails sent")
            return
        count = refresh_missing_claimables(everything=bool(options["all"]))
        self.stdout.write(f"Claim previews computed for {count} runs.")
