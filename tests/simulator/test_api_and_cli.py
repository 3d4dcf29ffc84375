"""`POST /api/v1/simulations` and `ajour simulate` give the page's figures; errors name the field."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

from ajour.accounts.models import User
from ajour.accounts.services import create_api_token
from ajour.simulator.models import Scenario
from tests.simulator.factories import RAISED_HALF_DAY_FEE, D, World

pytestmark = pytest.mark.django_db


def api(user: User | None) -> Client:
    if user is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=user, name='Analysesystem')}")


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/simulations", body, content_type="application/json")


def cli(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("simulate", *args, "--json", stdout=out)
    return dict(json.loads(out.getvalue()))


def test_the_api_the_cli_and_the_page_give_the_same_figures(world: World, tmp_path: Path) -> None:
    response = post(api(world.caseworker), {"reform": RAISED_HALF_DAY_FEE, "year": D.year, "mode": "account"})
    assert response.status_code == 201, response.content
    body = response.json()
    scenario = Scenario.objects.get(public_id=body["id"])
    assert body["url"] == f"/simulator/{scenario.public_id}/"
    assert body["results"] == scenario.results
    assert body["results"]["totals"]["difference_ore"] == world.claims * 100_000
    assert body["notes"][0].startswith("Adfærden holdes fast")
    reform_file = tmp_path / "reform.yaml"
    reform_file.write_text(yaml.safe_dump(RAISED_HALF_DAY_FEE), encoding="utf-8")
    printed = cli("--reform", str(reform_file), "--year", str(D.year), "--mode", "account")
    assert printed["notes_text"][0].startswith("Behaviour is held fixed")
    for key in ("totals", "breakdowns", "claims", "reform", "notes"):
        assert printed[key] == scenario.results[key], key
    page = Client()
    page.force_login(world.steering)
    assert "7.000,00" in page.get(body["url"]).content.decode()


def test_an_example_by_name_and_the_list_of_examples(world: World) -> None:
    client = api(world.analyst)
    examples = client.get("/api/v1/simulations/examples")
    assert [e["name"] for e in examples.json()] == ["allocation_23000", "dsam_3x2h", "uniform_dge_grant"]
    response = post(client, {"example": "uniform_dge_grant", "year": D.year, "mode": "claim", "lang": "en"})
    assert response.status_code == 201
    totals = response.json()["results"]["totals"]
    assert totals["difference_ore"] == 0
    assert any("DGE group grant" in note for note in response.json()["notes"])
    again = client.get(f"/api/v1/simulations/{response.json()['id']}?lang=en")
    assert again.status_code == 200 and again.json()["results"] == response.json()["results"]


def test_small_cells_are_null_outside_the_secretariat(world: World) -> None:
    analyst = post(api(world.analyst), {"example": "dsam_3x2h", "year": D.year}).json()
    caseworker = post(api(world.caseworker), {"example": "dsam_3x2h", "year": D.year}).json()
    regional = next(r for r in analyst["results"]["breakdowns"]["provider_type"] if r["key"] == "regional")
    assert regional["suppressed"] is True and regional["today_ore"] is None and regional["gps"] is None
    seen = next(r for r in caseworker["results"]["breakdowns"]["provider_type"] if r["key"] == "regional")
    assert seen["gps"] == 3 and seen["today_ore"] > 0


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"year": D.year}, "reform", "angiv enten en reform"),
        ({"year": D.year, "example": "dsam_3x2h", "reform": RAISED_HALF_DAY_FEE}, "reform", "angiv enten"),
        ({"year": D.year, "example": "nope"}, "example", "nope er ikke en eksempelreform"),
        (
            {
                "year": D.year,
                "reform": {
                    **RAISED_HALF_DAY_FEE,
                    "overrides": [{**RAISED_HALF_DAY_FEE["overrides"][0], "unit": "dkk"}],
                },  # type: ignore[dict-item]
            },
            "reform.overrides[0].unit",
            "fee.self_chosen.half er i ore, ikke dkk",
        ),
        ({"year": 2021, "example": "dsam_3x2h"}, "year", "Vælg et år fra 2025 til 2025"),
        ({"year": "2025", "example": "dsam_3x2h"}, "year", "integer"),
        ({"year": D.year, "example": "dsam_3x2h", "colour": "red"}, "colour", "Extra inputs"),
        (
            {"year": D.year, "example": "dsam_3x2h", "lang": "en"},
            None,
            None,
        ),
    ],
)
def test_bad_requests_name_the_field_and_save_nothing(
    world: World, body: dict[str, Any], field: str | None, message: str | None
) -> None:
    response = post(api(world.analyst), body)
    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert message in response.json()["message"]
    assert not Scenario.objects.exists()


def test_who_may_call_it(world: World) -> None:
    assert post(api(None), {"example": "dsam_3x2h", "year": D.year}).status_code == 401
    refused = post(api(world.gp), {"example": "dsam_3x2h", "year": D.year})
    assert refused.status_code == 403
    assert api(world.gp).get("/api/v1/simulations/examples").status_code == 403
    assert (
        api(world.analyst).get("/api/v1/simulations/00000000-0000-4000-8000-000000000000").status_code == 404
    )
    scenario = post(api(world.analyst), {"example": "dsam_3x2h", "year": D.year}).json()["id"]
    assert api(world.gp).get(f"/api/v1/simulations/{scenario}").status_code == 403


def test_the_cli_refuses_bad_input_with_one_json_error_and_exit_status_2(
    world: World, tmp_path: Path
) -> None:
    errors = StringIO()
    with pytest.raises(SystemExit) as raised:
        call_command("simulate", "--reform", "nope", "--year", str(D.year), stderr=errors)
    assert raised.value.code == 2
    assert json.loads(errors.getvalue()) == {
        "error": "invalid_reform",
        "field": "",
        "message": "nope is not an example reform",
    }
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed", encoding="utf-8")
    errors = StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "simulate", "--reform", str(broken), "--year", str(D.year), "--lang", "da", stderr=errors
        )
    assert "YAML" in json.loads(errors.getvalue())["message"]
    errors = StringIO()
    with pytest.raises(SystemExit):
        call_command("simulate", "--reform", "dsam_3x2h", "--year", "2030", "--lang", "da", stderr=errors)
    assert json.loads(errors.getvalue())["field"] == "year"
    assert "Vælg et år" in json.loads(errors.getvalue())["message"]


def test_the_cli_prints_a_plain_summary(world: World) -> None:
    out = StringIO()
    call_command(
        "simulate", "--reform", "allocation_23000", "--year", str(D.year), "--mode", "claim", stdout=out
    )
    text = out.getvalue()
    assert text.startswith("Self-chosen allocation 23,000 DKK a year")
    assert "claims replayed: 7" in text and "* Behaviour is held fixed" in text
    assert "allocation.gp_employed, allocation.gp_owner" in text
