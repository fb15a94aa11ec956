"""Search and filter rules (pure): how text is normalized, which index entries an expense gets, which
index entry drives a filtered list, and whether an expense matches the filters.

Every filter the list offers is answered from index entries written with the expense (see
`outlay.tables.index_sk`), so a filtered page reads about what it returns:

- category, tag: exact, case- and accent-insensitive ("cafe" finds "Café");
- currency: exact ISO code;
- vendor: case- and accent-insensitive *prefix* of the whole vendor ("marr" finds "Marriott");
  indexed at the prefix lengths `VENDOR_PREFIXES`, so a filter reads the expenses whose vendor
  shares its first 1, 3 or 6 characters and keeps the true matches;
- q (free text): every word of `q` must match a word of the vendor, the tags or the description;
  a word of 3+ characters matches any word starting with it ("lisb" finds "Trip to Lisbon"), a
  shorter word matches a whole word ("to"). Words are indexed by their first `WORD_PREFIX`
  characters, so a search reads the expenses that have a word with the same first 3 characters.
  Only the first `MAX_WORD_TOKENS` distinct 3-character word starts of an expense (vendor first,
  then tags, then description) are searchable: this bounds the index items per expense;
- min/max amount: checked on the candidates (not indexed).

Combined filters are driven by the entry expected to be the most selective and checked on each
candidate (the index item is a full copy of the expense, so checking needs no second read).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from outlay.models.expenses import Expense
from outlay.models.queries import ExpenseFilters

WORD_PREFIX = 3
VENDOR_PREFIXES = (1, 3, 6)
MAX_WORD_TOKENS = 16
# Index entries per expense are at most: category 1 + currency 1 + vendor 3 + tags 10 + words 16.
MAX_INDEX_ENTRIES = 1 + 1 + len(VENDOR_PREFIXES) + 10 + MAX_WORD_TOKENS

CATEGORY = "cat"
CURRENCY = "cur"
TAG = "tag"
WORD = "word"


def vendor_kind(length: int) -> str:
    return f"ven{length}"


_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD without combining marks, casefolded, one space
    between words. '#' (the key separator) reads as a space."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().replace("#", " ").split())


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def word_token(word: str) -> str:
    return word[:WORD_PREFIX]


@dataclass(frozen=True)
class Searchable:
    """The words of an expense that search sees, and the word tokens (index buckets) they fall in."""

    words: frozenset[str]
    tokens: tuple[str, ...]


def searchable(expense: Expense) -> Searchable:
    """Words of the vendor, then the tags, then the description; capped at MAX_WORD_TOKENS
    distinct tokens (a word whose token is already kept stays searchable)."""
    kept_tokens: list[str] = []
    kept_words: set[str] = set()
    for text in (expense.vendor, *expense.tags, expense.description):
        for word in words(text):
            token = word_token(word)
            if token not in kept_tokens:
                if len(kept_tokens) >= MAX_WORD_TOKENS:
                    continue
                kept_tokens.append(token)
            kept_words.add(word)
    return Searchable(frozenset(kept_words), tuple(kept_tokens))


def index_entries(expense: Expense) -> list[tuple[str, str]]:
    """The (kind, value) index entries of an expense, distinct, in a stable order."""
    entries: list[tuple[str, str]] = [(CATEGORY, fold(expense.category)), (CURRENCY, expense.currency)]
    vendor = fold(expense.vendor)
    entries += [(vendor_kind(n), vendor[:n]) for n in VENDOR_PREFIXES if len(vendor) >= n]
    entries += [(TAG, fold(tag)) for tag in expense.tags]
    entries += [(WORD, token) for token in searchable(expense).tokens]
    return list(dict.fromkeys(entries))


def query_terms(q: str | None) -> list[str]:
    return list(dict.fromkeys(words(q))) if q else []


def term_matches(term: str, candidates: Iterable[str]) -> bool:
    if len(term) >= WORD_PREFIX:
        return any(word.startswith(term) for word in candidates)
    return term in candidates


@dataclass(frozen=True)
class Driver:
    """The index entry a filtered list reads; None kind = the plain date index (every expense)."""

    kind: str | None
    value: str = ""


def driver(filters: ExpenseFilters) -> Driver:
    """The entry expected to hold the fewest candidates (a static ranking: long vendor prefix, tag,
    search word, short vendor prefix, category, short search word, one-letter vendor, currency)."""
    ranked: list[tuple[int, int, Driver]] = []
    vendor = fold(filters.vendor) if filters.vendor else ""
    if vendor:
        n = max(k for k in VENDOR_PREFIXES if k <= len(vendor))
        rank = {VENDOR_PREFIXES[-1]: 1, VENDOR_PREFIXES[1]: 4}.get(n, 7)
        ranked.append((rank, 0, Driver(vendor_kind(n), vendor[:n])))
    if filters.tag and fold(filters.tag):
        ranked.append((2, 0, Driver(TAG, fold(filters.tag))))
    for term in query_terms(filters.q):
        long = len(term) >= WORD_PREFIX
        ranked.append((3 if long else 6, -len(term), Driver(WORD, word_token(term))))
    if filters.category and fold(filters.category):
        ranked.append((5, 0, Driver(CATEGORY, fold(filters.category))))
    if filters.currency:
        ranked.append((8, 0, Driver(CURRENCY, filters.currency)))
    if not ranked:
        return Driver(None)
    return min(ranked, key=lambda r: (r[0], r[1]))[2]


def matches(expense: Expense, filters: ExpenseFilters) -> bool:
    """Whether an expense satisfies every filter (the same rules the index entries encode)."""
    if filters.from_ and expense.date < filters.from_:
        return False
    if filters.to and expense.date > filters.to:
        return False
    if filters.category and fold(expense.category) != fold(filters.category):
        return False
    if filters.currency and expense.currency != filters.currency:
        return False
    if filters.tag and fold(filters.tag) not in {fold(t) for t in expense.tags}:
        return False
    if filters.vendor and not fold(expense.vendor).startswith(fold(filters.vendor)):
        return False
    if filters.min is not None and expense.amount < filters.min:
        return False
    if filters.max is not None and expense.amount > filters.max:
        return False
    terms = query_terms(filters.q)
    if terms:
        found = searchable(expense).words
        return all(term_matches(term, found) for term in terms)
    return True
