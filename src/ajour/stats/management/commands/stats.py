"""`ajour stats`: headline measures as JSON, `refresh` of the roll-ups, `import-history FILE`."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ajour.catalogue.models import Provider
from ajour.stats.selectors import headline, latest_complete_year
from ajour.stats.services import HistoryImportError, import_history, refresh_if_stale, refresh_rollups

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Print the headline statistics of a year (--json for one JSON object), rebuild the roll-up "
        "tables (refresh) or import historical claim records from a CSV file (import-history FILE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", nargs="?", default="show", choices=["show", "refresh", "import-history"]
        )
        parser.add_argument("file", nargs="?", help="the CSV file for import-history")
        parser.add_argument("--year", type=int, help="the year the activities were held (default: last year)")
        parser.add_argument(
            "--provider-type",
            choices=[kind.value for kind in Provider.Kind],
            help="restrict course-day, category, topic and series measures to this provider type",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "refresh":
            rows = refresh_rollups(years=[options["year"]] if options["year"] else None)
            self.stdout.write(f"Roll-up tables rebuilt: {rows} rows.")
            return
        if options["action"] == "import-history":
            self._import(options["file"])
            return
        if refresh_if_stale():
            self.stderr.write("Claims changed since the last refresh: roll-up tables rebuilt.")
        measures = headline(
            year=options["year"] or latest_complete_year(), provider_kind=options["provider_type"] or ""
        )
        if options["json"]:
            self.stdout.write(json.dumps(measures, ensure_ascii=False))
        else:
            self.stdout.write(json.dumps(measures, ensure_ascii=False, indent=2))

    def _import(self, file: str | None) -> None:
        if not file:
            raise CommandError("Give the CSV file: ajour stats import-history FILE")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))

        def progress(done: int) -> None:
            filled = BAR_WIDTH * done // max(len(rows), 1)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{len(rows)} rows checked"
            )
            if done == len(rows):
                sys.stderr.write("\n")

        try:
            imported = import_history(rows=rows, progress=progress)
        except HistoryImportError as error:
            raise CommandError(
                f"Nothing was imported from {path.name}:\n" + "\n".join(error.errors)
            ) from error
        self.stdout.write(f"Imported {imported} claim records from {path.name}; statistics refreshed.")
