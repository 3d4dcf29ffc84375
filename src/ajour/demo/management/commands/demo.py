"""`ajour demo load [--seed N] [--scale national|small] [--if-empty] [--replace]`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ajour.demo.services import DemoDataExists, demo_data_exists, load_demo


class Command(BaseCommand):
    help = "Loads the deterministic synthetic demo data set (national scale by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--scale", choices=["national", "small"], default="national")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when demo data already exists."
        )
        parser.add_argument("--replace", action="store_true", help="Remove existing demo data first.")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The demo's today (default: the real date); history runs up to it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and demo_data_exists():
            self.stdout.write("Demo data already loaded; nothing to do (use --replace to rebuild).")
            return
        try:
            load_demo(
                seed=options["seed"],
                scale=options["scale"],
                today=options["today"],
                replace=bool(options["replace"]),
                progress=self.stdout.write,
            )
        except DemoDataExists as error:
            raise CommandError(str(error)) from error
