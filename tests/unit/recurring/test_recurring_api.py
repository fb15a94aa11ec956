"""`/recurring` through the expenses handler and the daily runner's handler (moto behind, clock set by
the test): rules, their occurrences as ordinary expenses, and ownership of what a run wrote."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.unit.expenses.expense_events import Call
from tests.unit.recurring.conftest import Today, run_schedule

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

RENT = {
    "every": 1,
    "unit": "month",
    "startDate": "2026-01-31",
    "amount": "1200.00",
    "currency": "EUR",
    "category": "Housing",
    "vendor": "Landlord",
    "tags": ["home"],
}


def create_rule(call: Call, sub: str = "alice", **body: Any) -> dict[str, Any]:
    reply = call("POST", "/recurring", sub=sub, body={**RENT, **body})
    assert reply.status == 201, reply.text
    return reply.json


def occurrences(call: Call, sub: str = "alice") -> list[dict[str, Any]]:
    items = call("GET", "/expenses", sub=sub, query={"limit": "100"}).json["items"]
    return sorted((e for e in items if e["source"] == "recurring"), key=lambda e: e["date"])


def test_create_writes_the_due_occurrences_clamped_to_month_end(call: Call) -> None:
    rule = create_rule(call, dayOfMonth=31)
    assert rule["status"] == "active" and rule["nextDue"] == "2026-03-31"
    written = occurrences(call)
    assert [e["date"] for e in written] == ["2026-01-31", "2026-02-28"]
    first = written[0]
    assert first["recurringRuleId"] == rule["id"] and first["id"] == f"rec-{rule['id']}-20260131"
    assert (first["amount"], first["currency"], first["category"], first["vendor"], first["tags"]) == (
        "1200.00",
        "EUR",
        "Housing",
        "Landlord",
        ["home"],
    )
    summary = call("GET", "/summary", query={"from": "2026-01", "to": "2026-02"}).json
    assert summary["totals"] == [{"currency": "EUR", "total": "2400.00"}]


def test_a_monthly_rule_materializes_once_however_often_the_schedule_runs(call: Call, today: Today) -> None:
    rule = create_rule(call, startDate="2026-03-31")
    assert occurrences(call) == []
    today.set(date(2026, 3, 31))
    first = run_schedule()
    assert first["created"] == 1
    for _ in range(3):
        again = run_schedule()
        assert again["created"] == 0
    assert call("POST", "/recurring/run").json["created"] == 0
    assert [e["date"] for e in occurrences(call)] == ["2026-03-31"]
    assert call("GET", f"/recurring/{rule['id']}").json["nextDue"] == "2026-04-30"


def test_missed_days_are_caught_up_by_the_next_run(call: Call, today: Today) -> None:
    create_rule(call, unit="week", startDate="2026-03-16", every=1)
    today.set(date(2026, 4, 7))  # three weekly occurrences fell due while nothing ran
    assert run_schedule()["created"] == 4
    assert [e["date"] for e in occurrences(call)] == ["2026-03-16", "2026-03-23", "2026-03-30", "2026-04-06"]


def test_run_now_writes_only_the_callers_rules(call: Call, today: Today) -> None:
    create_rule(call, startDate="2026-03-20")
    create_rule(call, sub="bob", startDate="2026-03-20")
    today.set(date(2026, 3, 20))
    result = call("POST", "/recurring/run", sub="bob").json
    assert result == {"rules": 1, "created": 1, "existing": 0, "dismissed": 0, "failed": 0}
    assert occurrences(call) == [] and len(occurrences(call, "bob")) == 1


def test_the_daily_run_reaches_every_users_due_rules(call: Call, today: Today) -> None:
    create_rule(call, startDate="2026-03-20")
    create_rule(call, sub="bob", startDate="2026-03-21")
    today.set(date(2026, 3, 20))
    assert run_schedule()["created"] == 1
    today.set(date(2026, 3, 21))
    assert run_schedule()["created"] == 1
    assert len(occurrences(call)) == len(occurrences(call, "bob")) == 1


def test_a_deleted_occurrence_never_comes_back(call: Call, today: Today) -> None:
    rule = create_rule(call)
    gone = occurrences(call)[1]
    assert call("DELETE", f"/expenses/{gone['id']}").status == 204
    # Move the rule back so a run reaches the deleted date again (an edit of the schedule).
    call("PATCH", f"/recurring/{rule['id']}", body={"startDate": "2026-01-31"})
    run = call("POST", "/recurring/run").json
    assert [e["date"] for e in occurrences(call)] == ["2026-01-31"]
    assert run["created"] == 0
    assert call("GET", f"/expenses/{gone['id']}").status == 404


def test_a_deleted_occurrence_is_skipped_when_a_run_reaches_it(
    call: Call, today: Today, dynamodb_client: Any
) -> None:
    from outlay.dal.recurring_rules import RecurringRules

    rule = create_rule(call, startDate="2026-03-15")
    only = occurrences(call)[0]
    assert call("DELETE", f"/expenses/{only['id']}").status == 204
    rules = RecurringRules("outlay-test-expenses", dynamodb_client=dynamodb_client)
    stored, version = rules.get("alice", rule["id"])
    rules.save("alice", stored.model_copy(update={"next_due": date(2026, 3, 15)}), version)  # as if never run
    result = call("POST", "/recurring/run").json
    assert result["dismissed"] == 1 and result["created"] == 0
    assert occurrences(call) == []
    assert call("GET", f"/recurring/{rule['id']}").json["nextDue"] == "2026-04-15"


def test_editing_an_occurrence_leaves_the_rule_and_a_rerun_keeps_the_edit(call: Call, today: Today) -> None:
    rule = create_rule(call, startDate="2026-03-15")
    only = occurrences(call)[0]
    edited = call("PATCH", f"/expenses/{only['id']}", body={"amount": "999.00", "vendor": "New landlord"})
    assert edited.status == 200
    assert call("GET", f"/recurring/{rule['id']}").json["amount"] == "1200.00"
    run_schedule()
    assert call("POST", "/recurring/run").json["created"] == 0
    again = call("GET", f"/expenses/{only['id']}").json
    assert (again["amount"], again["vendor"]) == ("999.00", "New landlord")


def test_editing_the_rule_changes_future_occurrences_only(call: Call, today: Today) -> None:
    rule = create_rule(call, startDate="2026-03-15")
    changed = call(
        "PATCH", f"/recurring/{rule['id']}", body={"amount": "1300.00", "description": "2026 rent"}
    )
    assert changed.status == 200 and changed.json["amount"] == "1300.00"
    today.set(date(2026, 4, 15))
    run_schedule()
    assert [(e["date"], e["amount"], e["description"]) for e in occurrences(call)] == [
        ("2026-03-15", "1200.00", ""),
        ("2026-04-15", "1300.00", "2026 rent"),
    ]


def test_pause_skips_runs_and_resume_starts_from_today(call: Call, today: Today) -> None:
    rule = create_rule(call, startDate="2026-03-15")
    paused = call("POST", f"/recurring/{rule['id']}/pause").json
    assert paused["status"] == "paused"
    today.set(date(2026, 5, 20))
    assert run_schedule()["created"] == 0
    resumed = call("POST", f"/recurring/{rule['id']}/resume").json
    assert resumed["status"] == "active" and resumed["nextDue"] == "2026-06-15"
    assert [e["date"] for e in occurrences(call)] == ["2026-03-15"]


def test_skip_next_moves_next_due_and_that_date_is_never_written(call: Call, today: Today) -> None:
    rule = create_rule(call, startDate="2026-03-15")
    skipped = call("POST", f"/recurring/{rule['id']}/skip").json
    assert skipped["nextDue"] == "2026-05-15"
    today.set(date(2026, 5, 15))
    run_schedule()
    assert [e["date"] for e in occurrences(call)] == ["2026-03-15", "2026-05-15"]


def test_a_rule_ends_after_its_end_date(call: Call, today: Today) -> None:
    rule = create_rule(call, startDate="2026-03-15", endDate="2026-04-15")
    today.set(date(2026, 7, 1))
    run_schedule()
    ended = call("GET", f"/recurring/{rule['id']}").json
    assert ended["status"] == "ended" and ended.get("nextDue") is None
    assert len(occurrences(call)) == 2
    assert call("POST", f"/recurring/{rule['id']}/skip").status == 409


def test_delete_rule_keeps_its_occurrences(call: Call) -> None:
    rule = create_rule(call)
    assert call("DELETE", f"/recurring/{rule['id']}").status == 204
    assert call("GET", f"/recurring/{rule['id']}").status == 404
    assert call("DELETE", f"/recurring/{rule['id']}").status == 404
    assert len(occurrences(call)) == 2
    assert call("GET", "/recurring").json == {"items": [], "next": None}


def test_list_pages_through_the_callers_rules_only(call: Call) -> None:
    ids = {create_rule(call, startDate="2026-04-01")["id"] for _ in range(3)}
    create_rule(call, sub="bob", startDate="2026-04-01")
    first = call("GET", "/recurring", query={"limit": "2"}).json
    second = call("GET", "/recurring", query={"limit": "2", "next": first["next"]}).json
    assert {r["id"] for r in first["items"] + second["items"]} == ids and second["next"] is None


def test_another_users_rule_is_not_found(call: Call) -> None:
    rule = create_rule(call)
    for method, path in [
        ("GET", f"/recurring/{rule['id']}"),
        ("PATCH", f"/recurring/{rule['id']}"),
        ("POST", f"/recurring/{rule['id']}/pause"),
        ("POST", f"/recurring/{rule['id']}/skip"),
        ("DELETE", f"/recurring/{rule['id']}"),
    ]:
        assert call(method, path, sub="bob", body={"amount": "1"}).status == 404
    assert call("GET", f"/recurring/{rule['id']}").status == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit": "year"}, "unit"),
        ({"every": 0}, "every"),
        ({"unit": "week", "dayOfMonth": 3}, "dayOfMonth"),
        ({"startDate": "2026-02-30"}, "startDate"),
        ({"endDate": "2026-01-01"}, "endDate"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "5.5", "currency": "JPY"}, "amount"),
        ({"category": "No such category"}, "category"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(call: Call, body: dict[str, Any], field: str) -> None:
    reply = call("POST", "/recurring", body={**RENT, **body})
    assert reply.status == 400, reply.text
    assert field in {d["field"] for d in reply.json["details"]}
    assert call("GET", "/recurring").json["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [({"endDate": "2025-01-01"}, "endDate"), ({"amount": None}, "amount"), ({"every": 400}, "every")],
)
def test_bad_rule_changes_are_refused_and_leave_the_rule(
    call: Call, body: dict[str, Any], field: str
) -> None:
    rule = create_rule(call)
    reply = call("PATCH", f"/recurring/{rule['id']}", body=body)
    assert reply.status == 400, reply.text
    assert field in {d["field"] for d in reply.json["details"]}
    assert call("GET", f"/recurring/{rule['id']}").json == rule


def test_switching_a_monthly_rule_to_weekly_drops_its_day_of_month(call: Call) -> None:
    rule = create_rule(call, dayOfMonth=31, startDate="2026-03-16")
    weekly = call("PATCH", f"/recurring/{rule['id']}", body={"unit": "week"})
    assert weekly.status == 200, weekly.text
    assert weekly.json.get("dayOfMonth") is None and weekly.json["nextDue"] == "2026-03-16"


def test_creating_a_rule_writes_at_most_the_request_limit_and_the_daily_run_the_rest(
    call: Call, today: Today
) -> None:
    from outlay.logic.recurring import REQUEST_LIMIT

    rule = create_rule(call, unit="day", startDate="2026-02-01")  # 43 days due by 2026-03-15
    assert len(occurrences(call)) == REQUEST_LIMIT
    assert run_schedule()["created"] == 43 - REQUEST_LIMIT
    assert len(occurrences(call)) == 43
    assert call("GET", f"/recurring/{rule['id']}").json["nextDue"] == "2026-03-16"


def test_run_now_writes_at_most_the_request_limit_over_all_rules(
    call: Call, today: Today, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many rules are due, one request stays small; the daily run writes the rest."""
    from outlay.logic import recurring_service

    monkeypatch.setattr(recurring_service, "REQUEST_LIMIT", 2)  # small: moto's writes are slow
    for _ in range(2):  # 4 days due by 2026-03-15: each writes 2 at creation, 2 left
        create_rule(call, unit="day", startDate="2026-03-12")
    assert len(occurrences(call)) == 4
    reply = call("POST", "/recurring/run")
    assert reply.status == 200, reply.text
    assert reply.json["created"] == 2  # not 4: the limit holds over both rules
    assert len(occurrences(call)) == 6
    assert run_schedule()["created"] == 2
