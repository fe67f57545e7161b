"""Full-text search over guidance: SQLite FTS5 or PostgreSQL full-text search, one function.

SQLite keeps an FTS5 index (`guidance_fts`) in step with the items through triggers; the
index and triggers are (re)installed after every migrate, because SQLite's schema editor
rebuilds a table (dropping its triggers) when a later migration alters it.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import F, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import GuidanceItem

MAX_TERMS = 12
MAX_RESULTS = 500
_START, _STOP = "\x01", "\x02"
_TERM = re.compile(r"\w+", re.UNICODE)

# Plain literals, not formatted strings: no part of this SQL ever comes from input.
_SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS guidance_fts USING fts5("
    "title, summary, body, content='guidance_guidanceitem', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS guidance_fts_ai AFTER INSERT ON guidance_guidanceitem BEGIN "
    "INSERT INTO guidance_fts(rowid, title, summary, body) "
    "VALUES (new.id, new.title, new.summary, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS guidance_fts_ad AFTER DELETE ON guidance_guidanceitem BEGIN "
    "INSERT INTO guidance_fts(guidance_fts, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS guidance_fts_au AFTER UPDATE ON guidance_guidanceitem BEGIN "
    "INSERT INTO guidance_fts(guidance_fts, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); "
    "INSERT INTO guidance_fts(rowid, title, summary, body) "
    "VALUES (new.id, new.title, new.summary, new.body); END",
    "INSERT INTO guidance_fts(guidance_fts) VALUES ('rebuild')",
]
_SQLITE_QUERY = (
    "SELECT rowid, bm25(guidance_fts, 10.0, 4.0, 1.0) AS score, "
    "snippet(guidance_fts, -1, char(1), char(2), '…', 24) "
    "FROM guidance_fts WHERE guidance_fts MATCH %s ORDER BY score LIMIT %s"
)


@dataclass
class SearchHit:
    item: GuidanceItem
    rank: float
    snippet: SafeString


def search_terms(query: str) -> list[str]:
    """The words of a query, lower-cased; punctuation and operators are ignored."""
    return _TERM.findall((query or "").lower())[:MAX_TERMS]


def highlight(snippet: str) -> SafeString:
    """Escape a snippet completely, then turn the match markers into <mark> tags."""
    escaped = escape(snippet or "")
    if escaped.count(_START) != escaped.count(_STOP):
        escaped = escaped.replace(_START, "").replace(_STOP, "")
    return mark_safe(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308


def search_index_install(using=None, **kwargs) -> None:
    """Create (or repair) the SQLite FTS5 index and its triggers; nothing on PostgreSQL."""
    from django.db import connections

    conn = connections[using or "default"]
    if (
        conn.vendor != "sqlite"
        or GuidanceItem._meta.db_table not in conn.introspection.table_names()
    ):
        return
    with conn.cursor() as cursor:
        for statement in _SQLITE_INDEX:
            cursor.execute(statement)


def _sqlite_search(queryset, terms: list[str]) -> list[SearchHit]:
    match = " ".join(f'"{term}"*' for term in terms)  # terms are \w+ only: safe to quote
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE_QUERY, [match, MAX_RESULTS])
        rows = cursor.fetchall()
    found = {row[0]: (-row[1], row[2]) for row in rows}
    items = queryset.filter(pk__in=found)
    hits = [SearchHit(item, found[item.pk][0], highlight(found[item.pk][1])) for item in items]
    return sorted(hits, key=lambda hit: (-hit.rank, hit.item.title))


def _postgresql_search(queryset, terms: list[str]) -> list[SearchHit]:
    query = SearchQuery(
        " & ".join(f"{term}:*" for term in terms), search_type="raw", config="english"
    )
    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )
    items = (
        queryset.annotate(search=vector)
        .filter(search=query)
        .annotate(
            rank=SearchRank(vector, query),
            snippet=SearchHeadline(
                Concat(F("summary"), Value(" "), F("body"), output_field=TextField()),
                query,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=30,
                min_words=12,
                config="english",
            ),
        )
        .order_by("-rank", "title")[:MAX_RESULTS]
    )
    return [SearchHit(item, float(item.rank), highlight(item.snippet)) for item in items]


def guidance_search(*, queryset, query: str) -> list[SearchHit]:
    """Items of the queryset matching every word of the query, best first, with snippets."""
    terms = search_terms(query)
    if not terms:
        return [SearchHit(item, 0.0, escape(item.summary)) for item in queryset]
    if connection.vendor == "postgresql":
        return _postgresql_search(queryset, terms)
    return _sqlite_search(queryset, terms)
