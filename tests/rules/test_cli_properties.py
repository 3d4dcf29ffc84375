"""``ajour quote`` on arbitrary mutated claim documents: exit 0 with a decision or 2 with one error
object, never anything else (quote.md). A day in the year 9999 once made it exit 1 with a traceback."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ajour.rules.cli import run_quote

from .support import BASE_CLAIM, claim

STAFF_CLAIM = claim(activity={"type": "staff_course"}, staff={"profession": "nurse", "weekly_hours": 37})
MATERIAL_CLAIM = claim(
    activity={"type": "study_material", "purchased_on": "2025-02-03", "days": []},
    expenses={"material_ore": 90_000},
)
DOCUMENTS = [BASE_CLAIM, STAFF_CLAIM, MATERIAL_CLAIM]

EDGES = [
    "0001-01-01",
    "1999-12-31",
    "2000-01-01",
    "2024-02-29",
    "2025-02-29",
    "2099-12-31",
    "2100-01-01",
    "9999-01-01",
    "9999-12-31",
    "00:00",
    "23:59",
]
DATES = st.one_of(st.dates().map(lambda day: day.isoformat()), st.sampled_from(EDGES))
"""Every date Python knows, 0001-01-01 to 9999-12-31, and the edges of dates and times."""
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    DATES,
    st.sampled_from(["00:00", "23:59", "24:00", "9:00", "12:60", "", "\x00", "auto", "course", "nurse"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, at: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every place in the document a value sits, the document itself excluded."""
    found = [at] if at else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*at, index))
    return found


def _at(document: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def _parent(document: Any, path: tuple[str | int, ...]) -> Any:
    return _at(document, path[:-1])


DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MOMENT = re.compile(rf"{DAY.pattern}|[0-9]{{2}}:[0-9]{{2}}")
"""A date or a time of day in a claim."""


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A valid claim with one to three changes: a value replaced by anything, removed or given a new
    sibling, a date or time replaced by an edge, or the whole claim moved to another day."""
    document = json.loads(json.dumps(draw(st.sampled_from(DOCUMENTS))))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        moments = [path for path in paths if MOMENT.fullmatch(str(_at(document, path)))]
        action = draw(st.sampled_from(["replace", "replace", "remove", "add", "redate", "move", "move"]))
        if not paths:
            break
        if action == "move":  # every date the same day: filed on the day it was held, in any year
            day = draw(DATES)
            for path in moments:
                if DAY.fullmatch(str(_at(document, path))):
                    _parent(document, path)[path[-1]] = day
            continue
        path = draw(st.sampled_from(moments if action == "redate" and moments else paths))
        parent = _parent(document, path)
        if action == "redate":
            parent[path[-1]] = draw(DATES)
        elif action == "replace":
            parent[path[-1]] = draw(VALUES)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return document


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("quote")


def _quote(path: Path) -> tuple[int, str, str]:
    """`ajour quote FILE` in this process: exit code, stdout, stderr."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO()), io.TextIOWrapper(io.BytesIO())
    try:
        code = run_quote([str(path)])  # an exception here is the command's exit 1
        out, err = (stream.buffer.getvalue().decode() for stream in (sys.stdout, sys.stderr))  # type: ignore[attr-defined]
    finally:
        sys.stdout, sys.stderr = saved
    return code, out, err


@settings(max_examples=300, derandomize=True, deadline=None)
@given(document=mutated())
def test_quote_exits_0_or_2_on_any_mutated_claim(document: dict[str, Any], workdir: Path) -> None:
    path = workdir / "claim.json"
    path.write_text(json.dumps(document))
    code, out, err = _quote(path)
    assert code in (0, 2)
    if code == 0:
        assert json.loads(out)["schema"] == "ajour.decision/1" and err == ""
    else:
        error = json.loads(err)
        assert set(error) == {"error", "field", "message"} and error["error"] == "invalid_claim"
        assert out == ""
