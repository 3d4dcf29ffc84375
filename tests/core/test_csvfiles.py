"""The one CSV writer and the one import check: a cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation

from ajour.core.csvfiles import csv_bytes, formula_error

STARTS = ["=", "+", "-", "@", "\t", "\r"]


def _read(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


@pytest.mark.parametrize("start", STARTS)
def test_a_text_cell_that_would_run_as_a_formula_is_written_as_text(start: str) -> None:
    cell = f'{start}HYPERLINK("https://example.invalid","klik")'

    assert _read(csv_bytes([["navn"], [cell]])) == [["navn"], [f"'{cell}"]]


def test_numbers_are_numbers_even_when_negative() -> None:
    rows = _read(csv_bytes([[-125, -2.5, Decimal("-0.50"), "-125", "Hansen", None]]))

    assert rows == [["-125", "-2.5", "-0.50", "'-125", "Hansen", ""]]


def test_numbers_go_through_the_given_format() -> None:
    body = csv_bytes([[-2.5, "=1"]], delimiter=";", number=lambda n: str(n).replace(".", ","), bom=True)

    assert body == "\ufeff-2,5;'=1\n".encode()


@pytest.mark.parametrize("start", STARTS)
def test_imports_refuse_a_cell_that_would_run_as_a_formula(start: str) -> None:
    with translation.override("en"):
        assert "formula" in (formula_error(f"{start}cmd") or "")
    with translation.override("da"):
        assert "formel" in (formula_error(f"{start}cmd") or "")


@pytest.mark.parametrize("cell", ["ABC12", "Hansen", "2019-03-14", "6.500,00", "", " =late"])
def test_ordinary_cells_pass(cell: str) -> None:
    assert formula_error(cell) is None
