"""``ajour quote`` and ``ajour rules``: exit codes, JSON on stdout/stderr, stdin, languages."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ajour.rules.cli import run_quote, run_rules

from .support import claim


def _write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "claim.json"
    path.write_bytes(data)
    return str(path)


def _ajour(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "ajour.cli", *args], input=stdin, capture_output=True, check=False, timeout=60
    )


def test_quote_a_file_in_a_subprocess(tmp_path: Path) -> None:
    result = _ajour("quote", _write(tmp_path, json.dumps(claim()).encode()))
    assert result.returncode == 0
    assert result.stderr == b""
    decision = json.loads(result.stdout)
    assert decision["schema"] == "ajour.decision/1"
    assert decision["payable_ore"] == 400000


def test_quote_stdin_in_danish_in_a_subprocess() -> None:
    payload = claim(expenses={"transport_ore": 200000})
    result = _ajour("quote", "-", "--lang", "da", stdin=json.dumps(payload).encode())
    assert result.returncode == 0
    decision = json.loads(result.stdout.decode("utf-8"))
    assert decision["reasons"][0]["message"].startswith("Transport har et loft på 1.500,00 kr.")


def test_invalid_claim_in_a_subprocess(tmp_path: Path) -> None:
    payload = claim(activity={"days": [{"date": "2025-03-06", "from": "09:00", "to": "08:00"}]})
    result = _ajour("quote", _write(tmp_path, json.dumps(payload).encode()))
    assert result.returncode == 2
    assert result.stdout == b""
    error = json.loads(result.stderr)
    assert error == {"error": "invalid_claim", "field": "activity.days[0].to", "message": error["message"]}


def test_quote_does_not_import_django(tmp_path: Path) -> None:
    path = _write(tmp_path, json.dumps(claim()).encode())
    code = (
        "import sys; from ajour.cli import main; "
        f"code = main(['ajour', 'quote', {path!r}]); "
        "print('django' in sys.modules, code, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False, timeout=60)
    assert result.stderr.decode().strip() == "False 0"


def _quote(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, Any]:
    code = run_quote(list(args))
    captured = capsys.readouterr()
    return (
        code,
        json.loads(captured.out) if captured.out else None,
        json.loads(captured.err) if captured.err else None,
    )


def test_rejection_is_a_decision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, json.dumps(claim(claimant={"role": "locum"})).encode())
    code, decision, error = _quote(capsys, path)
    assert (code, decision["outcome"], error) == (0, "rejected", None)


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(claim()).encode())))
    code, decision, _ = _quote(capsys, "-", "--lang", "da")
    assert code == 0
    assert decision["lines"][0]["detail"] == "1 hel kursushverdag × 4.000,00 kr."


def test_byte_order_mark_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, decision, _ = _quote(capsys, _write(tmp_path, b"\xef\xbb\xbf" + json.dumps(claim()).encode()))
    assert code == 0 and decision["outcome"] == "approved"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "is not valid JSON"),
        (b"", "is not valid JSON"),
        (b'{"schema": NaN}', "NaN is not a JSON number"),
        (b'{"schema": "ajour.claim/1", "schema": "ajour.claim/1"}', "appears twice"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (b"[1, 2]", "must be an object"),
    ],
)
def test_documents_that_are_not_claims(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str
) -> None:
    code, decision, error = _quote(capsys, _write(tmp_path, data))
    assert (code, decision) == (2, None)
    assert error["error"] == "invalid_claim" and error["field"] == ""
    assert message in error["message"]


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, error = _quote(capsys, str(tmp_path / "missing.json"))
    assert code == 2
    assert error["field"] == "" and error["message"].startswith("cannot read")


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run_quote(["claim.json", "--lang", "de"])
    assert caught.value.code == 2
    capsys.readouterr()


def test_rules_params(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_rules(["params", "--on", "2021-06-01"]) == 0
    out = capsys.readouterr().out
    assert "Parameters in force on 2021-06-01 (rules 2026.1)" in out
    assert "2,400.00 DKK" in out and "1080 min" in out and "25 %" in out and "3 days" in out
    assert "2023-07-01" in out and "* assumed" in out
    line = next(line for line in out.splitlines() if line.startswith("allocation.locum "))
    assert "quote.md  Self-chosen allocation, locum" in line
    for shown in (
        "6 half days",
        "12 months",
        "1 year",
        "10 characters",
        "medical_student, other, trainee_doctor",
    ):
        assert shown in out
    assert "staff.per_capacity" in out and "systematic.per_year" in out and "eligibility.trainee_roles" in out


def test_rules_params_in_danish_today(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_rules(["params", "--lang", "da"]) == 0
    out = capsys.readouterr().out
    assert "Parametre gældende" in out and "2.800,00 kr." in out and "3 dage" in out and "betegnelse" in out
    assert "6 halve dage" in out and "12 måneder" in out and "5 år" in out and "10 tegn" in out


def test_rules_bench(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_rules(["bench", "--n", "70", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "70 generated claims" in out and out.count("claims/s/core") == 4
    assert "1.00 × decide" in out and "batch per account" in out
    assert "plain-Python reference" in out and "skipped" in out


def test_a_day_at_the_end_of_the_calendar_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The engine once computed the filing deadline of a day in 9999 and exited 1."""
    day = {"date": "9999-12-31", "from": "09:00", "to": "16:30"}
    payload = claim(filed_on="2025-03-10", activity={"days": [day]})
    code, decision, error = _quote(capsys, _write(tmp_path, json.dumps(payload).encode()))
    assert (code, decision) == (2, None)
    assert error["field"] == "activity.days[0].date"
    assert "2099-12-31" in error["message"]
