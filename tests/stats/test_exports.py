"""Every published measure in every file format: CSV, Parquet, JSON (the API) and the PDF report."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from ajour.stats.selectors import Filters
from ajour.stats.services import refresh_rollups
from ajour.stats.tables import TABLE_KEYS, build_tables
from tests.stats import factories as f

pytestmark = pytest.mark.django_db

D = date(2024, 5, 10)
YEARS = [2024, 2019]  # with claims, and without


@pytest.fixture
def world() -> None:
    """Seven GPs on two courses, one of them rare; three without claims."""
    common, rare = f.instance(on=D, topic_code="diabetes"), f.instance(on=D, topic_code="sjaelden")
    for n in range(7):
        doctor = f.gp()
        f.claim(doctor, on=D, halves=2 + n % 3, at=common)
        if n < 2:
            f.claim(doctor, on=D, halves=1, at=rare)
    for _n in range(3):
        f.gp()
    refresh_rollups()


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("measure", TABLE_KEYS)
@pytest.mark.parametrize("file_type", ["csv", "parquet", "json"])
def test_every_measure_exports_in_every_format(
    world: None, client: Client, measure: str, file_type: str
) -> None:
    for year in YEARS:
        api = client.get(f"/api/v1/stats/tables/{measure}?year={year}")
        assert api.status_code == 200
        published = api.json()
        if file_type == "json":
            assert published["key"] == measure
            continue

        response = client.get(  # in the API's language, so the labels compare
            f"/stats/export.{file_type}?measure={measure}&year={year}", HTTP_ACCEPT_LANGUAGE="en"
        )

        assert response.status_code == 200, response.content[:300]
        keys = [column["key"] for column in published["columns"]]
        if file_type == "csv":
            header, *rows = _csv(response.content)
            assert header == [column["label"] for column in published["columns"]]
            assert len(rows) == len(published["rows"])
        else:
            table = pq.read_table(io.BytesIO(response.content))
            assert table.column_names == keys
            assert table.to_pylist() == [{key: row.get(key) for key in keys} for row in published["rows"]]


def test_the_report_publishes_every_measure(world: None, tmp_path: Path) -> None:
    out = tmp_path / "rapport.pdf"
    call_command("report", "--year", "2024", "--out", str(out), stdout=io.StringIO(), stderr=io.StringIO())

    text = " ".join(
        subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    with translation.override("da"):
        titles = {table.key: str(table.title) for table in build_tables(Filters(year=2024))}
    assert set(titles) == set(TABLE_KEYS)
    assert [key for key, title in titles.items() if title not in text] == []


def test_csv_export_writes_a_formula_like_name_as_text(client: Client) -> None:
    """Topic names are typed by administrators; a spreadsheet must show them, not run them."""
    formula = f.topic("hyperlink")
    formula.name_da = '=HYPERLINK("https://example.invalid","Diabetes")'
    formula.save()
    course = f.instance(on=D, topic_code="hyperlink")
    for _n in range(5):
        f.claim(f.gp(), on=D, at=course)
    refresh_rollups()

    header, *rows = _csv(client.get("/stats/export.csv?measure=top_topics&year=2024").content)

    assert rows == [["1", "'" + formula.name_da, "5"]]
    parquet = pq.read_table(
        io.BytesIO(client.get("/stats/export.parquet?measure=top_topics&year=2024").content)
    )
    assert parquet.column("label").to_pylist() == [formula.name_da]  # not a spreadsheet format


def test_an_unknown_file_type_is_refused(world: None, client: Client) -> None:
    response = client.get("/stats/export.xlsx?measure=participation&year=2024")

    assert response.status_code == 400
    assert "CSV eller Parquet" in response.content.decode()
