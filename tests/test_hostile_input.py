"""Hostile input against every form and every API endpoint: huge and negative numbers, far dates, NUL in
each content type, over-long text, wrong types and wrong content types.

Every one is refused with a 4xx in its format and writes no row (every model's rows are counted before
and after each request):

- **forms** answer with the page and the field's error (400). They are found on the pages themselves:
  every URL pattern is opened as every demo role on the crawl's demo world (`tests/test_crawl.py`), and
  every POST form on the page is taken apart; a new form is covered as soon as a page shows it. Every
  route that accepts POST must be the target of a form found so (or be set aside below, with the
  reason), and every text field must declare its maximum length. The live previews a form feeds (htmx)
  get the same values and must simply not fail or write;
- **the JSON API** answers in its one error shape (`ajour.core.api_errors`). Its operations come from
  the OpenAPI document; a valid body is built from the schemas' examples (or, where the example needs
  data that exists, given below), and each field in turn gets the hostile values of its type. Every
  integer, text and list in a request must declare its bound. `POST /api/v1/quote` computes only: it
  may decide a claim whose texts are odd (quote.md), but never fails or writes.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, resolve

from ajour.accounts.models import Doctor
from ajour.catalogue import services as catalogue_services
from ajour.catalogue.models import Activity, ActivityInstance
from ajour.claims import selectors as claim_selectors
from ajour.claims.models import Claim
from ajour.core.api_errors import CODES
from ajour.web.middleware import QUOTE_PATH
from tests.claims.test_api import WORKED_EXAMPLE
from tests.test_crawl import (  # the crawl's demo world, its routes and how it fills them
    ANONYMOUS,
    API_FILLERS,
    NOT_CRAWLED,
    OPENAPI,
    ROLES,
    TODAY,
    WEB_ROUTES,
    World,
    _client,
    fill,
    url_for,
    world,
)

pytestmark = pytest.mark.django_db
__all__ = ["world"]  # the crawl's module fixture, loaded again for this module

SET_ASIDE = {
    "login/": "Django's login form: a wrong name or password is answered 200 with the error",
    "logout/": "no input",
    "i18n/setlang/": "no input but the language, which Django checks itself",
    "demo-login/<slug:slug>/": "no input",
    "claims/payouts/": "payout runs have their own suite (the date of the run)",
    "claims/<uuid:public_id>/receipts/": "uploads have their own suite (type and size by the first bytes)",
    "simulator/<uuid:public_id>/rerun/": "no input but the scenario; offered only once the records changed",
}
"""Routes that take POST but are not fuzzed here, and why."""


def _rows() -> dict[str, int]:
    """The rows of every model: a refused request writes none."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _written(before: dict[str, int]) -> dict[str, int]:
    return {label: count - before[label] for label, count in _rows().items() if count != before[label]}


def _pattern_of(path: str) -> str:
    try:
        return str(resolve(path).route)
    except Resolver404:
        return path


# ---------------------------------------------------------------- the forms on the pages


@dataclass
class Input:
    name: str
    kind: str
    """`text`, `number`, `date`, `choice`, `file`, `hidden`, or `boolean` (a lone checkbox: any value
    ticks it, as in every browser)."""
    value: str = ""
    maxlength: int | None = None
    options: list[str] = field(default_factory=list)


@dataclass
class PageForm:
    role: str
    page: str
    action: str
    multipart: bool
    inputs: list[Input] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    previews: list[str] = field(default_factory=list)
    """The htmx endpoints the form feeds (its live preview)."""

    @property
    def route(self) -> str:
        return _pattern_of(urlsplit(self.action).path)


class _FormParser(HTMLParser):
    """The POST forms of a page: their inputs (with values, choices and maximum lengths) and buttons."""

    def __init__(self, role: str, page: str) -> None:
        super().__init__()
        self.role, self.page = role, page
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: Input | None = None
        self._textarea: Input | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            post = a.get("method", "get").lower() == "post"
            self._form = PageForm(
                self.role, self.page, a.get("action") or self.page, "multipart" in a.get("enctype", "")
            )
            if post:
                self.forms.append(self._form)
            else:
                self._form = None
        form = self._form
        if form is None:
            return
        if a.get("hx-post"):
            form.previews.append(a["hx-post"])
        name = a.get("name", "")
        maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "checkbox" and "value" not in a:
                form.inputs.append(Input(name, "boolean", "on" if "checked" in a else ""))
                return
            if kind in ("checkbox", "radio"):
                existing = next((i for i in form.inputs if i.name == name), None)
                if existing is None:
                    existing = Input(name, "choice")
                    form.inputs.append(existing)
                existing.options.append(a.get("value", "on"))
                if "checked" in a:
                    existing.value = a.get("value", "on")
                return
            numeric = kind == "number" or a.get("inputmode") in ("decimal", "numeric")
            kinds = {"hidden": "hidden", "date": "date", "file": "file"}
            form.inputs.append(
                Input(name, "number" if numeric else kinds.get(kind, "text"), a.get("value", ""), maxlength)
            )
        elif tag == "select" and name:
            self._select = Input(name, "choice")
            form.inputs.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a or not self._select.value:
                self._select.value = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = Input(name, "text", "", maxlength)
            form.inputs.append(self._textarea)
        elif tag == "button" and name:
            form.buttons.append((name, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms_on(client: Client, url: str, role: str) -> list[PageForm]:
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
        return []
    parser = _FormParser(role, url)
    parser.feed(response.content.decode())
    return parser.forms


def _in_state(world: World, **lookups: Any) -> Activity:
    found = Activity.objects.filter(provider_id=world.users["provider"].provider_id, **lookups).order_by("pk")
    activity = found.first()
    assert activity is not None, lookups
    return activity


def _pages_in_states(world: World) -> list[tuple[str, str, dict[str, object]]]:
    """Pages whose forms show only in a state the crawl's fillers do not pick: (pattern, role, values).
    An application asked for more information (the answer), one in review (the decision), an approved
    one (the change, the places taken)."""
    asked = _in_state(world, status=Activity.Status.SUBMITTED)
    catalogue_services.request_information(
        activity=asked, consultant=world.users["consultant"], question="Hvem underviser?"
    )
    reviewed = _in_state(world, status=Activity.Status.SUBMITTED)
    upcoming = _in_state(world, status=Activity.Status.APPROVED, instances__starts_on__gt=TODAY)
    return [
        ("catalogue/applications/<int:pk>/", "provider", {"pk": asked.pk}),
        ("catalogue/applications/<int:pk>/", "provider", {"pk": upcoming.pk}),
        ("catalogue/review/<int:pk>/", "consultant", {"pk": reviewed.pk}),
        ("catalogue/review/<int:pk>/change/", "steering", {"pk": upcoming.pk}),
    ]


@dataclass
class Discovered:
    forms: list[PageForm]
    post_routes: set[str]


@pytest.fixture(scope="module")
def discovered(world: World, django_db_blocker: Any) -> Discovered:
    """Every POST form on every page as every role (one per target route and set of fields), and every
    route that takes POST (the `Allow` header of an OPTIONS request as the administrator)."""
    found: dict[tuple[str, tuple[str, ...]], PageForm] = {}
    with django_db_blocker.unblock():
        pages = [
            (route.pattern, role, fill(route, world, role).own)
            for route in WEB_ROUTES
            if route.pattern not in NOT_CRAWLED and not route.pattern.startswith("admin/")
            for role in ROLES
        ]
        pages += _pages_in_states(world)
        for pattern, role, values in pages:
            for form in _forms_on(_client(world, role), url_for(pattern, values), role):
                key = (form.route, tuple(sorted(i.name for i in form.inputs)))
                found.setdefault(key, form)
        admin = _client(world, "admin")
        post_routes = set()
        for route in WEB_ROUTES:
            if route.pattern.startswith("admin/"):
                continue
            response = admin.options(url_for(route.pattern, fill(route, world, "admin").own))
            if "POST" in response.headers.get("Allow", ""):
                post_routes.add(route.pattern)
    return Discovered(list(found.values()), post_routes)


def test_every_route_that_takes_post_is_a_form_found_on_a_page(discovered: Discovered) -> None:
    targets = {form.route for form in discovered.forms}
    targets |= {_pattern_of(urlsplit(preview).path) for form in discovered.forms for preview in form.previews}
    assert sorted(discovered.post_routes - targets - set(SET_ASIDE)) == []


def test_every_text_field_of_a_form_has_a_maximum_length(discovered: Discovered) -> None:
    unbounded = [
        f"{form.route} {i.name}"
        for form in discovered.forms
        for i in form.inputs
        if i.kind == "text" and i.maxlength is None and form.route not in SET_ASIDE
    ]
    assert not unbounded, "\n".join(unbounded)


NUMBERS = ["2147483648", "9223372036854775808", "-9223372036854775809", "1e999"]
FAR_DATES = ["0001-01-01", "1999-12-31", "9999-12-31"]
NUL_CSV = b"authorisation_id\nAB\x00CD\n"


def _hostile(field_: Input) -> Iterator[object]:
    if field_.kind == "text":
        yield "x" * ((field_.maxlength or 100_000) + 1)
        yield "a\x00b"
    elif field_.kind == "number":
        yield from NUMBERS
    elif field_.kind == "date":
        yield from FAR_DATES
    elif field_.kind == "choice":
        yield "\x00"
        yield "9" * 40
    elif field_.kind == "file":
        yield SimpleUploadedFile("x" * 300 + ".csv", NUL_CSV, content_type="text/csv")


def _baseline(form: PageForm) -> dict[str, object]:
    """What a browser sends as the page shows the form, with the required-looking blanks filled (a valid
    date, a number, text, a programme line), and the button that saves."""
    data: dict[str, object] = {}
    for i in form.inputs:
        value: object = i.value
        if not value and i.kind == "text":
            value = (
                f"{TODAY:%Y-%m-%d} 09:00-15:00 Oplæg"
                if "programme" in i.name
                else "Prøvetekst til formularen"
            )
        elif not value and i.kind == "number":
            value = "1"
        elif not value and i.kind == "date":
            value = TODAY.isoformat()
        elif not value and i.kind == "choice" and i.options:
            value = next((option for option in i.options if option), "")
        if i.kind != "file":
            data[i.name] = value
    saving = [b for b in form.buttons if b[1] == "submit"] or form.buttons[:1]
    data.update(saving)
    return data


def _refused_with_the_page(response: HttpResponse) -> str:
    """'' when the response is the page with an error (4xx, HTML, an error shown), else what is wrong."""
    body = response.content.decode(errors="replace")
    if not 400 <= response.status_code < 500:
        return f"status {response.status_code}"
    if "text/html" not in response.headers.get("Content-Type", ""):
        return "not a page"
    if not any(marker in body for marker in ('class="errorlist', 'class="error"', 'class="messages"')):
        return "no error shown"
    return ""


def _fuzzable(form: PageForm) -> bool:
    return form.route not in SET_ASIDE and any(i.kind != "hidden" for i in form.inputs)


@pytest.mark.parametrize("role", [role for role in ROLES if role != ANONYMOUS])
def test_forms_refuse_hostile_values_with_the_field_error_and_write_nothing(
    role: str, world: World, discovered: Discovered
) -> None:
    failures = []
    client = _client(world, role)
    for form in (f for f in discovered.forms if f.role == role and _fuzzable(f)):
        for target in form.inputs:
            if target.kind in ("hidden", "boolean"):
                continue
            for value in _hostile(target):
                data = {**_baseline(form), target.name: value}
                before = _rows()
                response = client.post(form.action, data)
                problem = _refused_with_the_page(response)
                written = _written(before)
                if problem or written:
                    failures.append(f"{form.action} {target.name}={str(value)[:40]!r}: {problem} {written}")
                for preview in form.previews:
                    before = _rows()
                    response = client.post(preview, data)
                    if response.status_code >= 500 or _written(before):
                        failures.append(
                            f"preview {preview} {target.name}={str(value)[:40]!r}: failed or wrote"
                        )
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- the JSON API


COMPONENTS = OPENAPI["components"]["schemas"]


def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:  # `X | None`: the X
        branches = [branch for branch in schema["anyOf"] if branch.get("type") != "null"]
        schema = {**_resolved(branches[0]), **{k: v for k, v in schema.items() if k != "anyOf"}}
    return schema


def example_of(schema: dict[str, Any]) -> Any:
    """A value the schema accepts, from its examples and defaults (required properties only)."""
    schema = _resolved(schema)
    if "examples" in schema:
        return copy.deepcopy(schema["examples"][0])
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: example_of(schema["properties"][name]) for name in schema.get("required", [])}
    if kind == "array":
        return [example_of(schema["items"]) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    raise AssertionError(f"no example for {schema}: give the schema `examples`")


def _body_schema(operation: dict[str, Any]) -> dict[str, Any]:
    return _resolved(operation["requestBody"]["content"]["application/json"]["schema"])


def _held_run(world: World) -> ActivityInstance:
    run = (
        ActivityInstance.objects.filter(
            activity__provider_id=world.users["provider"].provider_id,
            activity__status=Activity.Status.APPROVED,
            ends_on__lt=TODAY,
        )
        .order_by("-ends_on", "pk")
        .first()
    )
    assert run is not None
    return run


def _unclaimed_run(world: World) -> int:
    owner = world.users["gp-owner"]
    assert owner.doctor is not None
    runs = claim_selectors.claimable_instances(query="", on=None, today=TODAY, doctor=owner.doctor)
    return next(run.pk for run in runs if not run.claims.filter(claimant=owner.doctor).exists())


def _any_doctor(world: World) -> str:
    return (
        Doctor.objects.exclude(Q(authorisation_id=""))
        .order_by("pk")
        .values_list("authorisation_id", flat=True)[0]
    )


BASELINES: dict[tuple[str, str], Callable[[World], tuple[dict[str, object], dict[str, Any]]]] = {
    ("POST", QUOTE_PATH): lambda world: ({}, copy.deepcopy(WORKED_EXAMPLE)),
    ("POST", "/api/v1/claims"): lambda world: ({}, {"instance_id": _unclaimed_run(world)}),
    ("POST", "/api/v1/simulations"): lambda world: ({}, {"example": "dsam_3x2h", "year": _claims_year()}),
    ("POST", "/api/v1/catalogue/runs/{run_id}/attendance"): lambda world: (
        {"run_id": _held_run(world).pk},
        {"authorisation_ids": [_any_doctor(world)]},
    ),
}
"""Valid requests whose body (or path) must name data that exists: (path values, body)."""


def _claims_year() -> int:
    """The latest year with claims: a simulation needs records to replay."""
    latest = Claim.objects.order_by("-activity_date").values_list("activity_date", flat=True).first()
    assert latest is not None
    return latest.year


def _caller(method: str, path: str) -> str:
    if path.startswith("/api/v1/simulations"):
        return "analyst"
    return "provider" if method == "POST" and path.startswith("/api/v1/catalogue/") else "gp-owner"


@dataclass
class Call:
    method: str
    path: str
    operation: dict[str, Any]
    world: World

    def __post_init__(self) -> None:
        role = _caller(self.method, self.path)
        baseline = BASELINES.get((self.method, self.path))
        if baseline is not None:
            self.values, self.body = baseline(self.world)
        else:
            filler = API_FILLERS.get(self.path)
            self.values = filler(self.world, role).own if filler else {}
            self.body = example_of(_body_schema(self.operation)) if "requestBody" in self.operation else None
        self.token = self.world.tokens[role]
        self.computes_only = self.path == QUOTE_PATH
        """The quote computes only: it may decide odd claims (NUL, texts of any length, any content type)."""

    def send(
        self,
        *,
        body: object = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
        **kwargs: Any,
    ) -> HttpResponse:
        values = {**self.values, **kwargs.pop("values", {})}
        url = url_for(self.path, values)
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": uuid.uuid4().hex}
        client = Client(raise_request_exception=False)
        if self.method == "GET":
            return client.get(url, kwargs.pop("query", {}), headers=headers)
        data = raw if raw is not None else json.dumps(self.body if body is None else body)
        return client.generic(self.method, url, data=data, content_type=content_type, headers=headers)


def _api_refusal(response: HttpResponse) -> str:
    """'' when the response is a 4xx in the API's error shape, else what is wrong."""
    if not 400 <= response.status_code < 500:
        return f"status {response.status_code}"
    if response.headers.get("Content-Type", "") != "application/json":
        return f"content type {response.headers.get('Content-Type')}"
    body = response.json()
    if not {"error", "field", "message"} <= set(body) or body["error"] not in CODES:
        return f"shape {body}"
    return ""


def _leaves(
    schema: dict[str, Any], value: Any, at: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every place in a body with the schema that governs it: the body's own, and every optional
    property of the body object, which the baseline may leave out."""
    schema = _resolved(schema)
    if at:
        yield at, schema
    if schema.get("type") == "object" and "properties" in schema:
        present = value if isinstance(value, dict) else {}
        for name in schema["properties"] if not at else present:
            yield from _leaves(schema["properties"][name], present.get(name), (*at, name))
    elif schema.get("type") == "array" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(schema["items"], item, (*at, index))


def _hostile_json(schema: dict[str, Any], *, in_url: bool = False) -> Iterator[object]:
    """Values the schema refuses: past its bounds, far dates, NUL, over-long, of the wrong type (in a
    body; a parameter in the URL is text anyway)."""
    kind = schema.get("type")
    if kind == "integer":
        yield schema.get("maximum", 2**63) + 1
        yield schema.get("minimum", -(2**63)) - 1
        yield 2**64
        yield "x" if in_url else "12"
    elif kind == "string":
        if schema.get("format") == "date":
            yield from FAR_DATES
        yield "x" * (schema.get("maxLength", 100_000) + 1)
        yield "a\x00b"
        if not in_url:
            yield 12
    elif kind == "boolean":
        yield "maybe"
    elif kind == "array":
        yield "x"
        if "maxItems" in schema:
            item = schema["examples"][0][0] if schema.get("examples") else example_of(schema["items"])
            yield [item] * (schema["maxItems"] + 1)
    elif kind == "object":
        yield "x"


def _with(body: Any, path: tuple[str | int, ...], value: object) -> Any:
    changed = copy.deepcopy(body)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return changed


API_OPERATIONS = [
    (method.upper(), path, operation)
    for path, methods in OPENAPI["paths"].items()
    for method, operation in methods.items()
]


def test_every_bound_of_a_request_is_declared() -> None:
    """Integers with a minimum and maximum, texts with a maximum length or a pattern, lists with a
    maximum count: in every body and parameter but the quote's (which computes only)."""
    unbounded = []
    for method, path, operation in API_OPERATIONS:
        if path == QUOTE_PATH:
            continue
        schemas = [
            (f"{p['in']} {p['name']}", _resolved(p["schema"])) for p in operation.get("parameters", [])
        ]
        if "requestBody" in operation:
            schema = _body_schema(operation)
            schemas += [(".".join(map(str, at)), leaf) for at, leaf in _leaves(schema, example_of(schema))]
        for where, schema in schemas:
            kind = schema.get("type")
            if kind == "integer" and not {"minimum", "maximum"} <= set(schema):
                unbounded.append(f"{method} {path} {where}: integer")
            if kind == "string" and not ({"maxLength", "pattern", "enum", "format"} & set(schema)):
                unbounded.append(f"{method} {path} {where}: text")
            if kind == "array" and "maxItems" not in schema:
                unbounded.append(f"{method} {path} {where}: list")
    assert not unbounded, "\n".join(unbounded)


@pytest.mark.parametrize(
    ("method", "path", "operation"), API_OPERATIONS, ids=[f"{m} {p}" for m, p, _o in API_OPERATIONS]
)
def test_api_refuses_hostile_values_in_its_error_shape_and_writes_nothing(
    method: str, path: str, operation: dict[str, Any], world: World
) -> None:
    call = Call(method, path, operation, world)
    failures = []

    def check(what: str, response: HttpResponse) -> None:
        """A 4xx in the error shape, nothing written; the quote may also decide (quote.md says which
        claims are invalid input, and its own tests hold it to that)."""
        decided = call.computes_only and response.status_code == 200
        problem = "" if decided else _api_refusal(response)
        written = _written(before)
        if problem or written:
            failures.append(f"{what}: {problem} {written} {response.content[:200]!r}")

    if call.body is not None:
        baseline = call.send()
        assert baseline.status_code < 300, (path, baseline.content)
        for at, leaf in _leaves(_body_schema(operation), call.body):
            for value in _hostile_json(leaf):
                before = _rows()
                check(
                    f"{'.'.join(map(str, at))}={str(value)[:30]!r}",
                    call.send(body=_with(call.body, at, value)),
                )
        text = json.dumps(call.body).encode()
        multipart = b"--b\r\nContent-Disposition: form-data; name=x\r\n\r\n\x00\r\n--b--\r\n"
        whole_bodies = [
            ("not JSON", b"{", "application/json"),
            ("a list", b"[]", "application/json"),
            ("NUL in JSON", text[:-1] + b', "x": "\x00"}', "application/json"),
            ("NUL in text", text.replace(b'"', b'"\x00', 1), "text/plain"),
            ("NUL in a form", b"title=a%00b", "application/x-www-form-urlencoded"),
            ("NUL in a multipart form", multipart, "multipart/form-data; boundary=b"),
            ("too large", b'{"x": "' + b"x" * (5 * 1024 * 1024) + b'"}', "application/json"),
            ("JSON as text", text, "text/plain"),
        ]
        for what, raw, content_type in whole_bodies:
            before = _rows()
            check(what, call.send(raw=raw, content_type=content_type))
    for parameter in operation.get("parameters", []):
        name, where, schema = parameter["name"], parameter["in"], _resolved(parameter["schema"])
        if where == "header":
            continue
        for value in _hostile_json(schema, in_url=True):
            before = _rows()
            if where == "path":
                response = call.send(values={name: str(value).replace("\x00", "%00")})
            else:
                response = call.send(query={name: value})
            check(f"{where} {name}={str(value)[:30]!r}", response)
    before = _rows()
    check("wrong method", Client().put(url_for(path, call.values)))
    assert not failures, "\n".join(failures)


def test_an_unknown_route_of_the_api_is_a_404_in_the_error_shape() -> None:
    response = Client().get("/api/v1/nothing-here")
    assert response.status_code == 404 and _api_refusal(response) == ""
