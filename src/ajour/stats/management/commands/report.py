"""`ajour report --year 2024 --out report.pdf`: the yearly analysis as a PDF in Danish."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ajour.stats.report import render_report
from ajour.stats.selectors import latest_complete_year
from ajour.stats.services import refresh_if_stale


class Command(BaseCommand):
    help = "Build the yearly statistics report (PDF, Danish) for the year the activities were held."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="default: last year")
        parser.add_argument("--out", default="report.pdf", help="the PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or latest_complete_year()
        started = time.perf_counter()

        def progress(step: int, total: int, label: str) -> None:
            self.stderr.write(f"[{step}/{total}] {label} ({time.perf_counter() - started:.1f} s)")

        if refresh_if_stale():
            self.stderr.write("Claims changed since the last refresh: roll-up tables rebuilt.")
        pdf = render_report(year=year, progress=progress)
        Path(options["out"]).write_bytes(pdf)
        self.stdout.write(
            f"Wrote {options['out']} ({len(pdf):,} bytes) in {time.perf_counter() - started:.1f} s."
        )
