"""The account export carries the user's budgets (issue 18.1), and only theirs."""

from __future__ import annotations

from tests.unit.expenses.expense_events import invoke as call_expenses

from .conftest import World
from .test_account_api import _export_document


def test_export_holds_the_callers_budgets(world: World) -> None:
    body = {"category": "Coffee beans", "currency": "EUR", "amount": "30", "rollover": True}
    assert call_expenses("PUT", "/budgets", sub=world.alice.sub, body=body).status == 200
    assert (
        call_expenses("PUT", "/budgets", sub=world.bob.sub, body={"currency": "USD", "amount": "9"}).status
        == 200
    )

    assert world.call("POST", "/account/export", world.alice)[0] == 200
    _, document = _export_document(world, world.alice.sub)
    [budget] = document["budgets"]  # alice's one budget; bob's USD budget is not in it
    assert {k: budget[k] for k in ("category", "currency", "amount", "rollover")} == {
        "category": "Coffee beans",
        "currency": "EUR",
        "amount": "30.00",
        "rollover": True,
    }
