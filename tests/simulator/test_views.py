"""The simulator's pages through HTTP: who may use them, the builder, results, drill-down, files."""

from __future__ import annotations

import io
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ajour.accounts.models import User
from ajour.simulator.models import Scenario
from tests.simulator.factories import RAISED_HALF_DAY_FEE, D, World
from tests.stats import factories as f

pytestmark = pytest.mark.django_db


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _builder_post(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "half_day_2500",
        "version": "1",
        "label_da": "Halv kursusdag 2.500 kr.",
        "label_en": "Half course day 2,500 DKK",
        "description_da": "",
        "description_en": "",
        "switches_from": "",
        "year": str(D.year),
        "mode": "claim",
        "run": "1",
        "changes-TOTAL_FORMS": "2",
        "changes-INITIAL_FORMS": "0",
        "changes-MIN_NUM_FORMS": "1",
        "changes-MAX_NUM_FORMS": "40",
        "changes-0-parameter": "fee.self_chosen.half",
        "changes-0-valid_from": "2025-01-01",
        "changes-0-value": "2.500",
        "changes-1-parameter": "",
        "changes-1-valid_from": "",
        "changes-1-value": "",
    }
    return {**data, **changes}


def _run_example(client: Client, name: str = "dsam_3x2h", mode: str = "claim") -> Scenario:
    response = client.post(f"/simulator/examples/{name}/run/", {f"{name}-year": D.year, f"{name}-mode": mode})
    assert response.status_code == 302, response.content
    return Scenario.objects.get(public_id=response["Location"].split("/")[2])


def test_the_simulator_is_for_steering_analysts_and_the_secretariat(world: World) -> None:
    assert Client().get("/simulator/").status_code == 302  # to the login
    gp = client_of(world.gp)
    response = gp.get("/simulator/")
    assert response.status_code == 403
    assert "styregruppen, analytikere og sekretariatet" in response.content.decode()
    assert gp.post("/simulator/examples/dsam_3x2h/run/", {"dsam_3x2h-year": D.year}).status_code == 403
    for user in (world.analyst, world.steering, world.caseworker):
        page = client_of(user).get("/simulator/")
        assert page.status_code == 200
        assert "Reformsimulator" in page.content.decode()
    assert 'href="/simulator/"' in client_of(world.steering).get("/home/").content.decode()


def test_the_builder_runs_and_saves_a_reform_and_the_link_opens_it_for_another_reader(world: World) -> None:
    page = client_of(world.analyst).get("/simulator/new/")
    assert page.status_code == 200
    assert "fee.self_chosen.half" in page.content.decode()
    response = client_of(world.analyst).post("/simulator/new/", _builder_post())
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert (scenario.author, scenario.year, scenario.mode) == (world.analyst, D.year, "claim")
    assert scenario.reform["overrides"][0]["value"] == 250000
    totals = scenario.results["totals"]
    assert totals["difference_ore"] == world.claims * 100_000
    assert totals["gps_better_off"] == world.claims
    shared = client_of(world.steering).get(response["Location"])
    body = shared.content.decode()
    assert shared.status_code == 200
    assert "Adfærden holdes fast" in body
    assert "7.000,00" in body  # 7 claims × 1,000 DKK more
    assert f"/simulator/{scenario.public_id}/" in body  # the link to share


def test_the_builder_names_a_wrong_value_and_saves_nothing(world: World) -> None:
    analyst = client_of(world.analyst)
    response = analyst.post("/simulator/new/", _builder_post(**{"changes-0-value": "mange"}))
    assert response.status_code == 400
    assert "Skriv et tal" in response.content.decode()
    response = analyst.post("/simulator/new/", _builder_post(**{"changes-0-valid_from": "2019-01-01"}))
    assert response.status_code == 400
    assert "2019-01-01 ligger uden for data" in response.content.decode()
    response = analyst.post("/simulator/new/", _builder_post(**{"changes-0-parameter": ""}))
    assert response.status_code == 400
    assert "Vælg den parameter" in response.content.decode()
    response = analyst.post("/simulator/new/", _builder_post(name="Ugyldigt navn"))
    assert response.status_code == 400
    assert not Scenario.objects.exists()


def test_the_builder_adds_rows_switches_rules_off_and_starts_from_an_example(world: World) -> None:
    analyst = client_of(world.analyst)
    more = analyst.post("/simulator/new/", {**_builder_post(), "add_change": "1"})
    assert more.status_code == 200 and 'name="changes-2-parameter"' in more.content.decode()
    example = analyst.get("/simulator/new/?example=allocation_23000").content.decode()
    assert 'value="23000"' in example and "allocation.gp_employed" in example
    response = analyst.post("/simulator/new/", _builder_post(off_transport="on", switches_from="2025-01-01"))
    assert response.status_code == 302
    assert Scenario.objects.get().reform["switches"] == [
        {"switch": "transport", "valid_from": "2025-01-01", "on": False}
    ]
    missing_date = analyst.post("/simulator/new/", _builder_post(off_carry_over="on"))
    assert missing_date.status_code == 400
    again = analyst.get(f"/simulator/new/?from={Scenario.objects.get().public_id}").content.decode()
    assert 'name="off_transport" id="id_off_transport" checked' in again


def test_figures_below_five_gps_are_hidden_outside_the_secretariat(world: World) -> None:
    scenario = _run_example(client_of(world.analyst), "dsam_3x2h")
    analyst = client_of(world.analyst).get(f"/simulator/{scenario.public_id}/").content.decode()
    caseworker = client_of(world.caseworker).get(f"/simulator/{scenario.public_id}/").content.decode()
    assert "skjult: færre end 5 læger" in analyst  # the regional unit's 3 GPs
    assert "skjult: færre end 5 læger" not in caseworker
    assert "/claims/?table=" not in analyst and "/claims/?table=provider_type" in caseworker


def test_the_secretariat_lists_the_claims_behind_a_figure(world: World) -> None:
    scenario = _run_example(client_of(world.caseworker), "dsam_3x2h")
    url = f"/simulator/{scenario.public_id}/claims/?table=provider_type&row=regional"
    page = client_of(world.caseworker).get(url)
    assert page.status_code == 200
    assert page.content.decode().count('href="/claims/') == 3
    assert client_of(world.analyst).get(url).status_code == 403
    assert (
        client_of(world.caseworker).get(f"/simulator/{scenario.public_id}/claims/?table=x").status_code == 400
    )


def test_exports_the_reform_file_and_the_brief(world: World) -> None:
    client = client_of(world.caseworker)
    scenario = _run_example(client, "dsam_3x2h")
    base = f"/simulator/{scenario.public_id}"
    csv = client.get(f"{base}/export.csv?table=provider_type")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert "PLO Efteruddannelse" in csv.content.decode("utf-8-sig")
    assert ";;;;" in csv.content.decode("utf-8-sig")  # files leave the portal: the small row is hidden
    parquet = pq.read_table(io.BytesIO(client.get(f"{base}/export.parquet?table=stream").content))
    assert "difference_ore" in parquet.column_names
    assert client.get(f"{base}/export.csv?table=nope").status_code == 400
    reform = yaml.safe_load(client.get(f"{base}/reform.yaml").content)
    assert reform["name"] == "dsam_3x2h" and reform["schema"] == "ajour.reform/1"
    brief = client.get(f"{base}/brief.pdf")
    assert brief.status_code == 200 and brief.content.startswith(b"%PDF")


def test_two_reforms_side_by_side_with_today(world: World) -> None:
    analyst = client_of(world.analyst)
    first = _run_example(analyst, "dsam_3x2h")
    analyst.post("/simulator/new/", _builder_post())
    second = Scenario.objects.exclude(pk=first.pk).get()
    page = analyst.get(f"/simulator/compare/?a={first.public_id}&b={second.public_id}")
    body = page.content.decode()
    assert page.status_code == 200
    assert "DSAM" in body and "Halv kursusdag 2.500 kr." in body
    assert analyst.get("/simulator/compare/?a=x").status_code == 400
    assert "Scenarie A" in analyst.get("/simulator/compare/").content.decode()


def test_a_scenario_says_when_the_records_changed_and_runs_again(world: World) -> None:
    analyst = client_of(world.analyst)
    scenario = _run_example(analyst, "dsam_3x2h")
    assert 'data-testid="stale"' not in analyst.get(f"/simulator/{scenario.public_id}/").content.decode()
    f.claim(f.gp(), on=D, halves=2)
    assert 'data-testid="stale"' in analyst.get(f"/simulator/{scenario.public_id}/").content.decode()
    response = analyst.post(f"/simulator/{scenario.public_id}/rerun/")
    assert response.status_code == 302
    assert Scenario.objects.count() == 2
    assert Scenario.objects.latest("pk").results["claims"] == world.claims + 1


def test_a_reform_file_is_run_as_it_is_and_a_bad_one_is_refused(world: World) -> None:
    analyst = client_of(world.analyst)
    good = SimpleUploadedFile("reform.yaml", yaml.safe_dump(RAISED_HALF_DAY_FEE).encode())
    response = analyst.post("/simulator/upload/", {"reform_file": good, "year": D.year, "mode": "account"})
    assert response.status_code == 302
    assert Scenario.objects.get().results["totals"]["difference_ore"] == world.claims * 100_000
    bad = {**RAISED_HALF_DAY_FEE, "overrides": [{**RAISED_HALF_DAY_FEE["overrides"][0], "unit": "dkk"}]}  # type: ignore[dict-item]
    upload = SimpleUploadedFile("reform.yaml", yaml.safe_dump(bad).encode())
    refused = analyst.post("/simulator/upload/", {"reform_file": upload, "year": D.year, "mode": "account"})
    assert refused.status_code == 400
    assert "fee.self_chosen.half er i ore, ikke dkk" in refused.content.decode()
    assert Scenario.objects.count() == 1


def test_a_year_without_claims_is_refused_with_the_years_there_are(world: World) -> None:
    response = client_of(world.analyst).post(
        "/simulator/examples/dsam_3x2h/run/", {"dsam_3x2h-year": 2024, "dsam_3x2h-mode": "claim"}
    )
    assert response.status_code == 400
    assert not Scenario.objects.exists()
