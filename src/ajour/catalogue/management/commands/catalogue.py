"""`ajour catalogue refresh-previews [--all]`: cache what a GP can claim per run (after bulk loads).

Without `--all`: upcoming approved runs that have no preview yet (what the catalogue shows).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from ajour.catalogue.services import refresh_missing_claimables


class Command(BaseCommand):
    help = "Computes the cached claim preview of upcoming approved runs (e.g. after `ajour demo load`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["refresh-previews"])
        parser.add_argument("--all", action="store_true", help="Recompute every approved run, past ones too.")

    def handle(self, *args: object, **options: object) -> None:
        count = refresh_missing_claimables(everything=bool(options["all"]))
        self.stdout.write(f"Claim previews computed for {count} runs.")
