"""CSV (Danish Excel: `;`, UTF-8 with BOM, decimal comma) and Parquet files of one published table."""

from __future__ import annotations

import io

from ajour.core.csvfiles import Number, csv_bytes
from ajour.stats.tables import Column, Table

PARQUET_TYPES = {
    "text": "string",
    "year": "int64",
    "count": "int64",
    "ore": "int64",
    "days": "float64",
    "rate": "float64",
}


def _decimal_comma(value: Number) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def table_csv(table: Table) -> bytes:
    """Suppressed cells are empty; headers are in the active language; text cells cannot run as formulas."""
    header = [str(column.label) for column in table.columns]
    rows = [[row.get(column.key) for column in table.columns] for row in table.rows]
    return csv_bytes([header, *rows], delimiter=";", lineterminator="\r\n", number=_decimal_comma, bom=True)


def table_parquet(table: Table) -> bytes:
    """Column names are the stable keys; suppressed cells are nulls."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def values(column: Column) -> list[object]:
        cells = [row.get(column.key) for row in table.rows]
        return cells if column.numeric else [None if cell is None else str(cell) for cell in cells]

    arrow = pa.table(
        {column.key: pa.array(values(column), type=PARQUET_TYPES[column.kind]) for column in table.columns},
        metadata={"title": str(table.title)},
    )
    buffer = io.BytesIO()
    pq.write_table(arrow, buffer)
    return buffer.getvalue()
