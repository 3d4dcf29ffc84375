"""`ajour catalogue refresh-previews [--all]`: cache what a GP can claim per run (after bulk loads)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from ajour.catalogue.services import refresh_missing_claimables


class Command(BaseCommand):
    help = "Computes the cached claim preview of approved runs that lack one (e.g. after `ajour demo load`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["refresh-previews"])
        parser.add_argument(
            "--all", action="store_true", help="Recompute every run, not only those without one."
        )

    def handle(self, *args: object, **options: object) -> None:
        count = refresh_missing_claimables(everything=bool(options["all"]))
        self.stdout.write(f"Claim previews computed for {count} runs.")
