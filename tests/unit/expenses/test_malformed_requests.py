"""Malformed input on the expense routes: each is a 400 naming the body or the real field, never a 5xx,
and nothing is written. Text fields refuse control characters and unpaired surrogates; amounts and
integer parameters take ASCII digits only."""

from __future__ import annotations

import base64
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from outlay.handlers import expenses_api
from outlay.models.expenses import CreateExpenseRequest, UpdateExpenseRequest
from outlay.models.queries import ListQuery
from outlay.routes import ROUTES
from pydantic import ValidationError

from tests.unit.expenses.expense_events import Call, Reply, proxy_event

VALID = {"amount": "12.50", "currency": "EUR", "category": "Food", "date": "2026-03-04"}


def fields(reply: Reply) -> set[str]:
    return {d["field"] for d in reply.json["details"]}


def _refused(reply: Reply, field: str) -> None:
    assert reply.status == 400, reply.text
    assert reply.json["error"] == "invalid_input"
    assert fields(reply) == {field}, reply.text


BODY_ROUTES = [r for r in ROUTES if r.function == "expenses" and r.body_model]


@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_a_non_utf8_body_is_a_400_on_every_body_taking_route(call: Call, route: Any) -> None:
    expense_id = call("POST", "/expenses", body=VALID).json["id"]
    event = proxy_event(route.method, route.path.replace("{id}", expense_id), raw_body="")
    event["pathParameters"] = {"id": expense_id} if "{id}" in route.path else None
    event["body"], event["isBase64Encoded"] = base64.b64encode(b'{"category": "caf\xe9"}').decode(), True
    result = expenses_api.handler(event, None)
    reply = Reply(result["statusCode"], {}, result["body"])
    _refused(reply, "body")
    assert reply.json["message"] == "Request body is not valid UTF-8"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"amount": ' + "1" * 4400 + ', "category": "Food"}', "Request body is not valid JSON"),
        (
            '{"amount": 1, "category": "Food", "tags": ' + "[" * 30_000 + "]" * 30_000 + "}",
            "Request body is not valid JSON",
        ),
        ("\x1e", "Request body is not valid JSON"),
    ],
    ids=["4400-digit integer", "nested 30000 deep", "record separator"],
)
def test_unparseable_bodies_name_the_body(call: Call, raw: str, message: str) -> None:
    reply = call("POST", "/expenses", raw_body=raw)
    _refused(reply, "body")
    assert reply.json["message"] == message
    assert call("GET", "/expenses").json["items"] == []


@pytest.mark.parametrize("field", ["category", "description", "vendor"])
def test_a_lone_surrogate_in_text_is_a_400_not_a_5xx(call: Call, field: str) -> None:
    # json.dumps writes "\ud800" as the escape a client would send; json.loads gives back a lone surrogate.
    reply = call("POST", "/expenses", body={**VALID, field: "caf\ud800"})
    _refused(reply, field)
    assert call("GET", "/expenses").json["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**VALID, "tags": ["ok", "a\x00b"]}, "tags"),
        ({**VALID, "tags": ["\x01"]}, "tags"),
        ({**VALID, "tags": ["esc\x1b[31m"]}, "tags"),
        ({**VALID, "vendor": "Shop\x7f"}, "vendor"),
        ({**VALID, "vendor": "Shop\x85"}, "vendor"),
        ({**VALID, "category": "Fo\x9fod"}, "category"),
        ({**VALID, "description": "line\rfeed"}, "description"),
        ({**VALID, "amount": "\u0661\u0662.\u0665\u0660"}, "amount"),
        ({**VALID, "amount": "\uff11\uff12"}, "amount"),
    ],
)
def test_control_characters_and_foreign_digits_are_refused_naming_the_field(
    call: Call, body: dict[str, Any], field: str
) -> None:
    _refused(call("POST", "/expenses", body=body), field)
    assert call("GET", "/expenses").json["items"] == []


def test_description_keeps_tabs_and_line_breaks(call: Call) -> None:
    reply = call("POST", "/expenses", body={**VALID, "description": "two\tcolumns\nand lines"})
    assert reply.status == 201, reply.text
    assert reply.json["description"] == "two\tcolumns\nand lines"


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/expenses", {"to": ""}, "to"),
        ("/expenses", {"from": ""}, "from"),
        ("/expenses", {"category": ""}, "category"),
        ("/expenses", {"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ("/expenses", {"min": "5", "max": "4.99"}, "max"),
        ("/expenses", {"min": "1" + "0" * 38}, "min"),
        ("/expenses", {"max": "0." + "1" * 39}, "max"),
        ("/expenses", {"min": "1.234567890123456789012345678901234567890"}, "min"),
        ("/expenses", {"limit": "\u0661\u0660"}, "limit"),
        ("/expenses", {"limit": "5_0"}, "limit"),
        ("/expenses", {"limit": "1.0"}, "limit"),
        ("/expenses", {"tag": "a\x00"}, "tag"),
        ("/expenses/export", {"to": ""}, "to"),
        ("/expenses/export", {"min": "9" * 40}, "min"),
        ("/summary", {"to": ""}, "to"),
        ("/summary", {"from": "\u0662\u0660\u0662\u0666-01"}, "from"),
    ],
)
def test_bad_query_values_are_a_400_naming_the_parameter(
    call: Call, path: str, query: dict[str, str], field: str
) -> None:
    _refused(call("GET", path, query=query), field)


def test_signed_amount_filters_within_the_money_rules_still_work(call: Call) -> None:
    call("POST", "/expenses", body=VALID)
    assert len(call("GET", "/expenses", query={"min": "-5", "max": "12.50"}).json["items"]) == 1
    assert call("GET", "/expenses", query={"min": "12.51"}).json["items"] == []


# ------------------------------------------------------------------ the models, for any input

TEXT_FIELDS = ["category", "vendor", "description"]
# Tab and newline are left out: a description keeps both (and a vendor tabs).
controls = st.characters(categories=["Cc"]).filter(lambda c: c not in "\t\n")
surrogates = st.characters(categories=["Cs"])


def _with(char: str, around: str, at: int) -> str:
    at = min(at, len(around))
    return around[:at] + char + around[at:]


@settings(max_examples=150, deadline=None)
@given(
    field=st.sampled_from(TEXT_FIELDS),
    char=controls | surrogates,
    around=st.text(alphabet=st.characters(categories=["L", "N", "P", "Zs"]), min_size=1, max_size=20),
    at=st.integers(min_value=0, max_value=20),
)
def test_any_control_or_surrogate_in_a_text_field_is_refused_naming_it(
    field: str, char: str, around: str, at: int
) -> None:
    value = _with(char, around, at)
    for model, body in (
        (CreateExpenseRequest, {**VALID, field: value}),
        (UpdateExpenseRequest, {field: value}),
    ):
        with pytest.raises(ValidationError) as raised:
            model.model_validate(body)
        assert {".".join(map(str, e["loc"])) for e in raised.value.errors()} == {field}


@settings(max_examples=150, deadline=None)
@given(
    char=controls | surrogates,
    tag=st.text(alphabet="abc xyz", min_size=1, max_size=10),
    at=st.integers(0, 10),
)
def test_any_control_or_surrogate_in_a_tag_is_refused_naming_tags_and_the_position(
    char: str, tag: str, at: int
) -> None:
    with pytest.raises(ValidationError) as raised:
        CreateExpenseRequest.model_validate({**VALID, "tags": ["fine", _with(char, tag, at)]})
    assert [e["loc"] for e in raised.value.errors()] == [("tags",)]
    assert "tag 2 must not contain" in raised.value.errors()[0]["msg"]


non_ascii_digits = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())


@settings(max_examples=150, deadline=None)
@given(digits=st.lists(st.sampled_from("0123456789") | non_ascii_digits, min_size=1, max_size=6))
def test_amounts_and_limits_take_ascii_digits_only(digits: list[str]) -> None:
    text = "".join(digits)
    ascii_only = text.isascii()
    for validate in (
        lambda: CreateExpenseRequest.model_validate({**VALID, "amount": text}),
        lambda: ListQuery.model_validate({"limit": text}),
    ):
        try:
            validate()
        except ValidationError:
            accepted = False
        else:
            accepted = True
        # ASCII digits may still be refused (0, too large); any other script's digit always is.
        assert ascii_only or not accepted, (text, [unicodedata.name(c, "?") for c in text])


def test_a_summary_total_may_exceed_the_largest_single_amount(call: Call) -> None:
    """Found by the contract test: totals were typed like one amount (<= 1,000,000,000) and the summary
    of a large month answered 400 naming `total`."""
    for _ in range(3):
        assert call("POST", "/expenses", body={**VALID, "amount": "1000000000"}).status == 201
    reply = call("GET", "/summary", query={"from": "2026-03", "to": "2026-03"})
    assert reply.status == 200, reply.text
    assert reply.json["totals"] == [{"currency": "EUR", "total": "3000000000.00"}]
    assert [item["total"] for item in reply.json["items"]] == ["3000000000.00"]
