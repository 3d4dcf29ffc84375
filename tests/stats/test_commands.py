"""`ajour stats`, `ajour report` and `ajour stats import-history` through the command line entry points."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from ajour.catalogue.models import Provider
from ajour.claims.models import Claim
from ajour.stats.selectors import headline
from ajour.stats.services import HISTORY_COLUMNS, refresh_rollups
from tests.stats import factories as f

pytestmark = pytest.mark.django_db

D = date(2024, 5, 10)
REQUIRED_KEYS = {
    "eligible_gps",
    "gps_with_claims",
    "participation_rate",
    "participation_rate_two_years",
    "produced_course_days",
    "produced_course_days_by_provider_type",
    "produced_course_days_by_form",
    "share_by_category",
    "top_topics",
    "series",
}


def _stats(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return json.loads(out.getvalue())


def test_stats_json_prints_the_headline_measures() -> None:
    doctor = f.gp()
    f.claim(doctor, on=D, halves=4, at=f.instance(on=D, kind=Provider.Kind.REGIONAL, topic_code="smerter"))
    f.claim(f.gp(), on=D, halves=2, at=f.instance(on=D, kind=Provider.Kind.PLO_E, topic_code="smerter"))
    refresh_rollups()

    measures = _stats("--year", "2024", "--json")

    assert REQUIRED_KEYS <= set(measures)
    assert measures["participation_rate"] == 1.0
    assert measures["produced_course_days_by_provider_type"] == {
        "plo_e": 1.0,
        "regional": 2.0,
        "private": 0.0,
    }
    assert measures["top_topics"] == [{"topic": "smerter", "name": "Smerter", "course_days": 3.0}]
    assert _stats("--year", "2024", "--provider-type", "plo_e", "--json")["produced_course_days"] == 1.0


def test_stats_refresh_rebuilds_the_rollups() -> None:
    f.claim(f.gp(), on=D, halves=2)
    out = StringIO()
    call_command("stats", "refresh", stdout=out)
    assert "rebuilt" in out.getvalue()
    assert headline(year=2024)["produced_course_days"] == 1.0


HEADER = ";".join(HISTORY_COLUMNS) + "\n"


def test_import_history_loads_records_and_refreshes(tmp_path: Path) -> None:
    doctor = f.gp()
    f.provider(Provider.Kind.PLO_E)
    f.topic("psykiatri")
    file = tmp_path / "historik.csv"
    file.write_text(
        "\ufeff"
        + HEADER
        + f"H1;{doctor.authorisation_id};2019-03-14;course;Udbyder plo_e;psykiatri;1,5;6.500,00;0;approved\n"
        + f"H2;{doctor.authorisation_id};14-03-2020;dge_meeting;;psykiatri;0,5;2000;;\n",
        encoding="utf-8",
    )

    call_command("stats", "import-history", str(file), stdout=StringIO(), stderr=StringIO())

    assert Claim.objects.count() == 2
    assert Claim.objects.get(idempotency_key="history:H1").payable_ore == 650_000
    assert headline(year=2019)["produced_course_days"] == 1.5
    assert headline(year=2020)["produced_course_days_by_form"]["group_based"] == 0.5


def test_import_history_is_all_or_nothing_with_row_numbers(tmp_path: Path) -> None:
    doctor = f.gp()
    f.topic("psykiatri")
    file = tmp_path / "historik.csv"
    file.write_text(
        HEADER
        + f"H1;{doctor.authorisation_id};2019-03-14;course;;psykiatri;1;100;0;approved\n"
        + "H2;X9999;2019-03-14;course;;psykiatri;1;100;0;approved\n"
        + f"H3;{doctor.authorisation_id};2019-03-14;course;;psykiatri;0,3;100;0;approved\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as refused:
        call_command("stats", "import-history", str(file), stdout=StringIO(), stderr=StringIO())

    assert "row 3: no doctor with authorisation ID 'X9999'" in str(refused.value)
    assert "row 4: course_days must be a multiple of 0,5 days" in str(refused.value)
    assert Claim.objects.count() == 0


def test_import_history_refuses_dates_and_amounts_out_of_range_row_by_row(tmp_path: Path) -> None:
    doctor = f.gp()
    f.topic("psykiatri")
    row = f"{{}};{doctor.authorisation_id};{{}};course;;psykiatri;{{}};{{}};0;approved\n"
    file = tmp_path / "historik.csv"
    file.write_text(
        HEADER
        + row.format("H1", "2019-03-14", "1", "100")
        + row.format("H2", "9999-12-31", "1", "100")
        + row.format("H3", "0001-01-01", "1", "100")
        + row.format("H4", "1999-12-31", "1", "100")
        + row.format("H5", "2019-03-14", "1", "100000000000000000000")
        + row.format("H6", "2019-03-14", "1", "1e999999")
        + row.format("H7", "2019-03-14", "1", "NaN")
        + row.format("H8", "2019-03-14", "9999999999", "100")
        + row.format("H" * 200, "2019-03-14", "1", "100"),
        encoding="utf-8",
    )

    with time_machine.travel(date(2026, 6, 1)), pytest.raises(CommandError) as refused:
        call_command("stats", "import-history", str(file), stdout=StringIO(), stderr=StringIO())

    errors = str(refused.value).splitlines()[1:]
    assert errors == [
        "row 3: activity_date 9999-12-31 is outside 2000-01-01 to 2028-06-01",
        "row 4: activity_date 0001-01-01 is outside 2000-01-01 to 2028-06-01",
        "row 5: activity_date 1999-12-31 is outside 2000-01-01 to 2028-06-01",
        "row 6: payable_kr is too large",
        "row 7: payable_kr is too large",
        "row 8: payable_kr must be a number, not 'NaN'",
        "row 9: course_days is too large",
        "row 10: reference is longer than 112 characters",
    ]
    assert Claim.objects.count() == 0


def test_import_history_accepts_the_edges_of_the_date_window(tmp_path: Path) -> None:
    doctor = f.gp()
    f.topic("psykiatri")
    row = f"{{}};{doctor.authorisation_id};{{}};course;;psykiatri;1;92233720368547758,07;0;approved\n"
    file = tmp_path / "historik.csv"
    file.write_text(
        HEADER + row.format("H1", "01.01.2000") + row.format("H2", "2028-06-01"), encoding="utf-8"
    )

    with time_machine.travel(date(2026, 6, 1)):
        call_command("stats", "import-history", str(file), stdout=StringIO(), stderr=StringIO())

    assert sorted(Claim.objects.values_list("activity_date", "payable_ore")) == [
        (date(2000, 1, 1), 2**63 - 1),
        (date(2028, 6, 1), 2**63 - 1),
    ]


def test_import_history_refuses_cells_a_spreadsheet_would_run_as_formulas(tmp_path: Path) -> None:
    doctor = f.gp()
    f.topic("psykiatri")
    file = tmp_path / "historik.csv"
    file.write_text(
        HEADER
        + f'H1;{doctor.authorisation_id};2019-03-14;course;=HYPERLINK("x");psykiatri;1;100;0;approved\n'
        + f"H2;{doctor.authorisation_id};2019-03-14;course;;psykiatri;1;-100;0;approved\n"
        + f"@H3;{doctor.authorisation_id};2019-03-14;course;;psykiatri;1;100;0;approved\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as refused:
        call_command("stats", "import-history", str(file), stdout=StringIO(), stderr=StringIO())

    assert "row 2: provider: cellen begynder med =, +, -, @" in str(refused.value)
    assert "row 3: payable_kr: cellen begynder med" in str(refused.value)
    assert "row 4: reference: cellen begynder med" in str(refused.value)
    assert Claim.objects.count() == 0


def test_report_writes_a_danish_pdf_with_the_seed_structure(tmp_path: Path) -> None:
    for n in range(6):
        doctor = f.gp()
        f.claim(doctor, on=D, halves=2 + n, at=f.instance(on=D, topic_code="ledelse"))
    refresh_rollups()
    out = tmp_path / "rapport.pdf"
    progress = StringIO()

    call_command("report", "--year", "2024", "--out", str(out), stdout=StringIO(), stderr=progress)

    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True, text=True
    ).stdout
    for heading in (
        "Efteruddannelse i almen praksis 2024",
        "Resumé",
        "Brug af Fonden for Almen Praksis",
        "Producerede kursusdage",
        "Former for efteruddannelse",
        "Udbydere",
        "Emnekategorier",
        "Top-10 emner",
        "Udvikling",
        "Metode",
    ):
        assert heading in text
    assert "100,0 %" in text  # every eligible GP claimed
    assert "[1/" in progress.getvalue()


def test_stats_command_refreshes_stale_rollups_first() -> None:
    f.claim(f.gp(), on=D, halves=2)
    refresh_rollups()
    f.claim(f.gp(), on=D, halves=4)  # filed after the refresh

    assert _stats("--year", "2024", "--json")["produced_course_days"] == 3.0
