"""Filters and free-text search: every match found exactly once, full pages, reads that follow results,
index items kept in step with every write, and the backfill of expenses written before the index."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from outlay import tables
from outlay.dal.expense_items import expense_to_item, serialize
from outlay.dal.expenses_repo import ExpensesRepository
from outlay.dal.search_index import SearchIndexBackfill, index_items, index_sks
from outlay.logic import search
from outlay.models.expenses import Expense
from outlay.models.queries import ExpenseFilters
from pydantic import ValidationError

from tests.unit.conftest import create_table

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def make(expense_id: str, day: str = "2026-03-10", **kw: Any) -> Expense:
    data: dict[str, Any] = {
        "id": expense_id,
        "date": day,
        "amount": "10.00",
        "currency": "USD",
        "category": "Food",
        "created_at": NOW,
        "updated_at": NOW,
    }
    data.update(kw)
    return Expense.model_validate(data)


class CountingClient:
    """A DynamoDB client that counts the items each Query read (ScannedCount) and transaction sizes."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.read = 0
        self.transaction_sizes: list[int] = []

    def query(self, **kwargs: Any) -> Any:
        response = self._client.query(**kwargs)
        self.read += response.get("ScannedCount", 0)
        return response

    def transact_write_items(self, **kwargs: Any) -> Any:
        self.transaction_sizes.append(len(kwargs["TransactItems"]))
        return self._client.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@pytest.fixture
def counting(expenses_table: str) -> CountingClient:
    return CountingClient(boto3.client("dynamodb", region_name="us-east-1"))


@pytest.fixture
def repo(expenses_table: str, counting: CountingClient) -> ExpensesRepository:
    return ExpensesRepository(expenses_table, counting)  # type: ignore[arg-type]


def seed(client: Any, table: str, sub: str, expenses: list[Expense]) -> None:
    """The items the write transactions store (expense + index items; no aggregates), batch-written:
    moto copies the whole table on every transaction, so many transactional creates are slow."""
    items = [expense_to_item(sub, e, 1) for e in expenses]
    items += [item for e in expenses for item in index_items(sub, e, 1)]
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": serialize(i)}} for i in items[start : start + 25]]
        client.batch_write_item(RequestItems={table: batch})


def walk(
    repo: ExpensesRepository, filters: ExpenseFilters, limit: int, sub: str = "alice"
) -> list[list[str]]:
    """Every page's ids, following `next` to the end."""
    pages: list[list[str]] = []
    cursor = None
    while True:
        page = repo.page(sub, filters, limit=limit, cursor=cursor)
        pages.append([e.id for e in page.items])
        cursor = page.next
        if not cursor:
            return pages
        assert len(pages) < 1000


def ids(repo: ExpensesRepository, sub: str = "alice", **filters: Any) -> list[str]:
    return [i for page in walk(repo, ExpenseFilters.model_validate(filters), 100, sub) for i in page]


def index_items_of(sub: str) -> list[str]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    out = client.query(
        TableName="outlay-test-expenses",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :ix)",
        ExpressionAttributeValues=serialize({":pk": tables.user_pk(sub), ":ix": tables.INDEX_PREFIX}),
    )
    return [item["sk"]["S"] for item in out["Items"]]


# ------------------------------------------------------------------------------------- rules (pure)


def test_fold_ignores_case_accents_and_spacing() -> None:
    assert search.fold("  Café   DU  Monde ") == "cafe du monde"
    assert search.fold("Straße") == "strasse"
    assert search.fold("A#B") == "a b"  # '#' is the key separator: never inside a value


def test_word_prefix_search_rules() -> None:
    trip = make("t", vendor="TAP", description="Trip to Lisbon", tags=["Ferias"])
    assert search.matches(trip, ExpenseFilters(q="lisb"))
    assert search.matches(trip, ExpenseFilters(q="LISBON trip"))
    assert search.matches(trip, ExpenseFilters(q="férias"))  # accents and case never matter
    assert search.matches(trip, ExpenseFilters(q="to"))  # a short word matches a whole word
    assert not search.matches(trip, ExpenseFilters(q="li"))  # ... and only a whole word
    assert not search.matches(trip, ExpenseFilters(q="lisb porto"))  # every word must match
    assert not search.matches(trip, ExpenseFilters(q="isbon"))  # prefixes, not infixes


def test_index_entries_are_bounded_per_expense() -> None:
    description = " ".join(f"{chr(97 + n % 26)}{chr(97 + n // 26)}word" for n in range(200))
    biggest = make("x", vendor="v" * 200, description=description[:500], tags=[f"tag{n}" for n in range(10)])
    entries = search.index_entries(biggest)
    assert len(entries) == len(set(entries)) <= search.MAX_INDEX_ENTRIES
    assert len(search.searchable(biggest).tokens) == search.MAX_WORD_TOKENS


def test_the_most_selective_filter_drives_the_read() -> None:
    assert search.driver(ExpenseFilters()).kind is None
    assert search.driver(ExpenseFilters(currency="EUR", category="Food")).kind == search.CATEGORY
    assert search.driver(ExpenseFilters(category="Food", tag="Work")) == search.Driver(search.TAG, "work")
    assert search.driver(ExpenseFilters(vendor="Marriott", tag="x")) == search.Driver("ven6", "marrio")
    assert search.driver(ExpenseFilters(q="a lisbon", category="Food")) == search.Driver(search.WORD, "lis")


def test_month_is_shorthand_for_a_date_range() -> None:
    filters = ExpenseFilters.model_validate({"month": "2026-02"})
    assert (filters.from_, filters.to) == (date(2026, 2, 1), date(2026, 2, 28))
    with pytest.raises(ValidationError):
        ExpenseFilters.model_validate({"month": "2026-02", "from": "2026-02-03"})


# ------------------------------------------------------------------------------------- each filter


LEDGER = [
    make("a1", "2026-01-05", vendor="Marriott Lisbon", category="Travel", currency="EUR", tags=["Trip"]),
    make("a2", "2026-02-05", vendor="Café Central", description="Breakfast", tags=["work"]),
    make("a3", "2026-02-20", vendor="marriott", category="Travel", description="Trip to Lisbon"),
    make("a4", "2026-03-01", vendor="Mar y Sol", description="Lunch by the sea", amount="55.00"),
    make("a5", "2026-03-02", vendor="IKEA", category="Housing", tags=["Home", "trip"], currency="SEK"),
]
CASES: list[tuple[dict[str, Any], list[str]]] = [
    ({"category": "travel"}, ["a3", "a1"]),
    ({"category": "Housing"}, ["a5"]),
    ({"vendor": "MARRIOTT"}, ["a3", "a1"]),
    ({"vendor": "mar"}, ["a4", "a3", "a1"]),
    ({"vendor": "cafe"}, ["a2"]),
    ({"vendor": "m"}, ["a4", "a3", "a1"]),
    ({"tag": "TRIP"}, ["a5", "a1"]),
    ({"tag": "tri"}, []),  # tags are exact
    ({"currency": "EUR"}, ["a1"]),
    ({"q": "lisb"}, ["a3", "a1"]),
    ({"q": "cafe"}, ["a2"]),
    ({"q": "trip"}, ["a5", "a3", "a1"]),
    ({"q": "trip lisbon"}, ["a3", "a1"]),
    ({"q": "sea lunch"}, ["a4"]),
    ({"q": "y"}, ["a4"]),
    ({"q": "kea"}, []),
    ({"q": "trip", "category": "travel", "currency": "USD"}, ["a3"]),
    ({"vendor": "mar", "min": "20"}, ["a4"]),
    ({"q": "trip", "from": "2026-02-01", "to": "2026-02-28"}, ["a3"]),
    ({"tag": "trip", "month": "2026-03"}, ["a5"]),
    ({"min": "50"}, ["a4"]),
]


def test_each_filter_finds_exactly_its_matches(repo: ExpensesRepository) -> None:
    for row in LEDGER:
        repo.create("alice", row)
    repo.create("bob", make("b1", vendor="Marriott", category="Travel", tags=["trip"]))
    for filters, expected in CASES:
        assert (filters, ids(repo, **filters)) == (filters, expected)
    assert walk(repo, ExpenseFilters(q="trip"), limit=1) == [["a5"], ["a3"], ["a1"]]  # cursors continue


def test_a_selective_filter_fills_the_first_page_and_reads_about_what_it_returns(
    expenses_table: str, repo: ExpensesRepository, counting: CountingClient
) -> None:
    start = date(2025, 1, 1)
    rows = [
        make(
            f"e{n:03d}",
            (start + timedelta(days=n)).isoformat(),
            vendor="Marriott" if n in (7, 80, 149) else f"Shop {n}",
        )
        for n in range(150)
    ]
    seed(boto3.client("dynamodb", region_name="us-east-1"), expenses_table, "alice", rows)
    counting.read = 0
    page = repo.page("alice", ExpenseFilters(vendor="Marriott"), limit=50)
    assert [e.id for e in page.items] == ["e149", "e080", "e007"] and page.next is None
    assert counting.read == 3
    counting.read = 0
    first = repo.page("alice", ExpenseFilters(q="shop"), limit=50)
    assert len(first.items) == 50 and first.next
    assert counting.read == 51  # the page plus one look-ahead item that says `next` is needed


def test_every_write_keeps_the_index_in_step(repo: ExpensesRepository) -> None:
    repo.create("alice", make("e1", vendor="Marriott", tags=["trip"], description="Lisbon"))
    assert ids(repo, q="lisb") == ["e1"]
    repo.update("alice", "e1", {"vendor": "Hilton", "tags": ["work"], "description": "Porto"})
    assert ids(repo, vendor="marr") == [] and ids(repo, tag="trip") == [] and ids(repo, q="lisb") == []
    assert ids(repo, vendor="hil") == ["e1"] and ids(repo, q="porto work") == ["e1"]
    repo.update("alice", "e1", {"date": date(2025, 12, 31)})
    assert (
        ids(repo, vendor="hil", month="2025-12") == ["e1"] and ids(repo, vendor="hil", month="2026-03") == []
    )
    assert len(index_items_of("alice")) == len(index_sks(repo.get("alice", "e1")))
    repo.delete("alice", "e1")
    assert index_items_of("alice") == [] and ids(repo, vendor="hil") == []


def test_the_largest_update_stays_inside_one_transaction(
    repo: ExpensesRepository, counting: CountingClient
) -> None:
    def words(seed: str) -> str:
        return " ".join(f"{seed}{chr(97 + n % 26)}{chr(97 + n // 26)}" for n in range(40))

    repo.create(
        "alice", make("e1", vendor="A" * 50, description=words("x"), tags=[f"a{n}" for n in range(10)])
    )
    repo.update(
        "alice",
        "e1",
        {
            "vendor": "B" * 50,
            "description": words("y"),
            "tags": [f"b{n}" for n in range(10)],
            "category": "Travel",
        },
    )
    # The expense, the old and new monthly and daily aggregates, and every index entry out and in.
    assert max(counting.transaction_sizes) <= 2 * search.MAX_INDEX_ENTRIES + 5 < 100
    assert ids(repo, q="yaa") == ["e1"] and ids(repo, q="xaa") == []


def test_upsert_of_an_import_indexes_the_line(repo: ExpensesRepository) -> None:
    line = make("aws-1", vendor="AWS - Amazon S3", category="Software", description="AWS charges")
    assert repo.upsert("alice", line) == "created"
    assert ids(repo, vendor="AWS - ") == ["aws-1"] and ids(repo, q="amazon s3") == ["aws-1"]


# ------------------------------------------------------------------------------------- property


filter_values = st.fixed_dictionaries(
    {},
    optional={
        "category": st.sampled_from(["Food", "travel", "Housing"]),
        "vendor": st.sampled_from(["m", "ma", "mar", "marr", "marriott", "cafe", "c"]),
        "tag": st.sampled_from(["trip", "Work", "home"]),
        "currency": st.sampled_from(["USD", "EUR"]),
        "q": st.sampled_from(["lis", "lisbon", "trip", "to", "sea l", "cafe trip", "ma"]),
        "min": st.sampled_from(["5", "20"]),
        "from": st.sampled_from(["2026-01-10", "2026-02-01"]),
        "to": st.sampled_from(["2026-02-15", "2026-03-31"]),
    },
)
expense_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=80),  # day offset
        st.sampled_from(["Marriott", "Mar y Sol", "Café Central", "Cafeteria", "", "marriott lisbon"]),
        st.sampled_from(["Food", "Travel", "Housing"]),
        st.sampled_from(["USD", "EUR"]),
        st.lists(st.sampled_from(["trip", "work", "Home"]), max_size=2),
        st.sampled_from(["", "Trip to Lisbon", "Lunch by the sea", "to do"]),
        st.sampled_from(["3.00", "10.00", "30.00"]),
    ),
    max_size=30,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=expense_rows, raw_filters=filter_values, limit=st.integers(min_value=1, max_value=4))
def test_any_walk_finds_every_match_exactly_once_newest_first(
    rows: list[tuple[Any, ...]], raw_filters: dict[str, str], limit: int
) -> None:
    if "from" in raw_filters and "to" in raw_filters and raw_filters["from"] > raw_filters["to"]:
        del raw_filters["to"]
    filters = ExpenseFilters.model_validate(raw_filters)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, tables.EXPENSES_TABLE, "walk")
        repo = ExpensesRepository("walk", client)
        stored = [
            make(
                f"e{n:02d}",
                (date(2026, 1, 1) + timedelta(days=offset)).isoformat(),
                vendor=vendor,
                category=category,
                currency=currency,
                tags=tags,
                description=description,
                amount=amount,
            )
            for n, (offset, vendor, category, currency, tags, description, amount) in enumerate(rows)
        ]
        seed(client, "walk", "alice", stored)
        pages = walk(repo, filters, limit)
        found = [i for page in pages for i in page]
        expected = sorted(
            (e for e in stored if search.matches(e, filters)), key=lambda e: (e.date, e.id), reverse=True
        )
        assert found == [e.id for e in expected]
        assert all(len(page) == limit for page in pages[:-1])  # full pages while matches remain
        assert [e.id for e in repo.iter_expenses("alice", filters)] == found


# ------------------------------------------------------------------------------------- backfill


def put_unindexed(client: Any, table: str, sub: str, expense: Expense, version: int = 1) -> None:
    """An expense as written before the index existed (no index items)."""
    client.put_item(TableName=table, Item=serialize(expense_to_item(sub, expense, version)))


def test_backfill_indexes_old_expenses_and_drops_orphans(
    expenses_table: str, repo: ExpensesRepository
) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    put_unindexed(
        client, expenses_table, "alice", make("old1", vendor="Marriott", description="Trip to Lisbon")
    )
    put_unindexed(client, expenses_table, "bob", make("old2", vendor="Marriott"))
    gone = make("gone", "2020-01-01", vendor="Marriott")  # an index copy whose expense is gone
    orphan = next(i for i in index_items("alice", gone, 1) if i["sk"].startswith("IX#ven6#"))
    client.put_item(TableName=expenses_table, Item=serialize(orphan))
    assert ids(repo, vendor="marriott") == ["gone"]

    done = SearchIndexBackfill(expenses_table, client).reindex_all()
    assert done == {"alice": 1, "bob": 1}
    assert ids(repo, vendor="marriott") == ["old1"] and ids(repo, q="lisb") == ["old1"]
    assert ids(repo, "bob", vendor="marriott") == ["old2"]
    assert orphan["sk"] not in index_items_of("alice")
    assert SearchIndexBackfill(expenses_table, client).reindex_all() == {"alice": 1, "bob": 1}  # idempotent
    assert len(index_items_of("alice")) == len(index_sks(repo.get("alice", "old1")))


def test_backfill_never_writes_a_copy_older_than_the_expense(
    expenses_table: str, repo: ExpensesRepository
) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    stale = make("e1", vendor="Marriott")
    repo.create("alice", stale)
    repo.update("alice", "e1", {"vendor": "Hilton"})
    backfill = SearchIndexBackfill(expenses_table, client)
    assert backfill._put_index("alice", stale, 1) is False  # version 1 was replaced by version 2
    assert ids(repo, vendor="marr") == [] and ids(repo, vendor="hilton") == ["e1"]


def test_a_request_checks_a_bounded_number_of_candidates_and_the_walk_still_finds_all(
    expenses_table: str, repo: ExpensesRepository, counting: CountingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outlay.dal import expense_queries

    monkeypatch.setattr(expense_queries, "MAX_CHECKED_PER_PAGE", 4)
    rows = [
        make(f"e{n:02d}", f"2026-03-{n + 1:02d}", amount="90.00" if n in (1, 8) else "5.00")
        for n in range(10)
    ]
    seed(boto3.client("dynamodb", region_name="us-east-1"), expenses_table, "alice", rows)
    counting.read = 0
    first = repo.page("alice", ExpenseFilters(min="50"), limit=5)
    assert counting.read <= 4 and first.next  # bounded work, and `next` says the walk goes on
    pages = walk(repo, ExpenseFilters(min="50"), limit=5)
    assert [i for page in pages for i in page] == ["e08", "e01"]
