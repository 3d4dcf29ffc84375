"""`ajour payouts run --date D [--out DIR]`: the day's pain.001 and CSV; a re-run re-issues them."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ajour.claims.payouts import PayoutError, run_payouts


class Command(BaseCommand):
    help = "Builds the payout batch for a date (ISO 20022 pain.001.001.09 + CSV). Idempotent."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Build or re-issue the batch for --date.")
        run.add_argument("--date", type=date.fromisoformat, required=True)
        run.add_argument("--out", type=Path, default=Path("."), help="Folder for the two files.")

    def handle(self, *args: Any, **options: Any) -> None:
        on: date = options["date"]
        out: Path = options["out"]
        try:
            files = run_payouts(on=on)
        except PayoutError as error:
            raise CommandError(f"--date {on.isoformat()}: {error}") from error
        if files is None:
            self.stdout.write(f"Nothing to pay on {on.isoformat()}.")
            return
        out.mkdir(parents=True, exist_ok=True)
        stem = f"ajour-payouts-{on.isoformat()}"
        (out / f"{stem}.xml").write_bytes(files.xml)
        (out / f"{stem}.csv").write_bytes(files.csv)
        if files.reissued:
            self.stdout.write(f"A payout run for {on.isoformat()} already exists; its files are re-issued.")
        self.stdout.write(
            f"{files.batch.message_id}: {files.batch.transactions} transfers, "
            f"{files.batch.total_ore / 100:.2f} DKK; {files.held} held for a missing bank account; "
            f"written to {out / stem}.xml and .csv"
        )
