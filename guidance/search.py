"""Full-text search over guidance: SQLite FTS5 or PostgreSQL full-text search, one function.

Both databases keep their index in step with the items through triggers, (re)installed
after every migrate: SQLite an FTS5 table (`guidance_fts`), because its schema editor
rebuilds a table (dropping its triggers) when a later migration alters it; PostgreSQL a
weighted `search_document` tsvector column with a GIN index, so ranking never re-parses
every body. The column is outside the Django model on purpose: a generated column would
block later migrations from changing the title's or body's type.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection
from django.db.models import BooleanField, F, FloatField, TextField, Value
from django.db.models.expressions import RawSQL
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
_PG_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(NEW.body, '')), 'C')"
)
_POSTGRESQL_INDEX = [
    "ALTER TABLE guidance_guidanceitem ADD COLUMN IF NOT EXISTS search_document tsvector",
    "CREATE OR REPLACE FUNCTION guidance_search_document_update() RETURNS trigger AS $$ "
    "BEGIN NEW.search_document := " + _PG_DOCUMENT + "; RETURN NEW; END "
    "$$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS guidance_search_document ON guidance_guidanceitem",
    "CREATE TRIGGER guidance_search_document BEFORE INSERT OR UPDATE OF title, summary, body "
    "ON guidance_guidanceitem FOR EACH ROW EXECUTE FUNCTION guidance_search_document_update()",
    "CREATE INDEX IF NOT EXISTS guidance_item_search_document "
    "ON guidance_guidanceitem USING GIN (search_document)",
    # Setting title to itself fires the trigger: fills rows written before it existed.
    "UPDATE guidance_guidanceitem SET title = title WHERE search_document IS NULL",
]
# Constant SQL: the query words reach it only as %s parameters.
_PG_MATCHES = "guidance_guidanceitem.search_document @@ to_tsquery('english', %s)"
_PG_RANK = "ts_rank(guidance_guidanceitem.search_document, to_tsquery('english', %s))"
_SQLITE_RANK = (
    "SELECT rowid, bm25(guidance_fts, 10.0, 4.0, 1.0) FROM guidance_fts WHERE guidance_fts MATCH %s"
)
_SQLITE_MATCHES = "SELECT rowid FROM guidance_fts WHERE guidance_fts MATCH %s"
_SQLITE_SNIPPETS = (
    "SELECT rowid, snippet(guidance_fts, -1, char(1), char(2), '…', 24) "
    "FROM guidance_fts WHERE guidance_fts MATCH %s AND rowid IN ({ids})"
)


EMPTY = mark_safe("")


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
    """Create (or repair) the full-text index and the triggers that keep it current."""
    from django.db import connections

    conn = connections[using or "default"]
    if GuidanceItem._meta.db_table not in conn.introspection.table_names():
        return
    statements = {"sqlite": _SQLITE_INDEX, "postgresql": _POSTGRESQL_INDEX}.get(conn.vendor, [])
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class SearchResults(Sequence):
    """The ranked hits of one search, best first, whose items are read only when looked at.

    Ranking reads ids and scores alone; a page of results (a slice) fetches its items, with
    the queryset's prefetches, in one query, and its extracts in one more. A search matching
    thousands of items therefore builds only the page it shows, not every matching item.
    """

    def __init__(self, *, queryset, ranked: list[tuple[int, float]], snippets, window: slice):
        self._queryset = queryset
        self._ranked = ranked
        self._snippets = snippets  # pks -> {pk: SafeString}
        self._window = range(len(ranked))[window]
        self._loaded: dict[int, SearchHit] = {}

    @property
    def pks(self) -> list[int]:
        return [pk for pk, _rank in self._ranked]

    def __len__(self) -> int:
        return len(self._ranked)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._hits(range(len(self._ranked))[index])
        return self._hits([range(len(self._ranked))[index]])[0]

    def __iter__(self):
        return iter(self._hits(range(len(self._ranked))))

    def __eq__(self, other):
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None

    def _hits(self, positions) -> list[SearchHit]:
        missing = [p for p in positions if p not in self._loaded]
        if missing:
            wanted = [self._ranked[p][0] for p in missing]
            items = self._queryset.filter(pk__in=wanted).defer("body").in_bulk(wanted)
            snippets = self._snippets(
                [pk for p, pk in zip(missing, wanted, strict=True) if p in self._window]
            )
            for position, pk in zip(missing, wanted, strict=True):
                if pk in items:
                    self._loaded[position] = SearchHit(
                        items[pk], self._ranked[position][1], snippets.get(pk, EMPTY)
                    )
        return [self._loaded[p] for p in positions if p in self._loaded]


def _sqlite_ranked(queryset, terms: list[str]) -> tuple[list[tuple[int, float]], object]:
    match = " ".join(f'"{term}"*' for term in terms)  # terms are \w+ only: safe to quote
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE_RANK, [match])
        scores = dict(cursor.fetchall())
    # Ids and titles only: the items of the page shown are read later, by SearchResults.
    titles = queryset.filter(pk__in=RawSQL(_SQLITE_MATCHES, [match])).values_list("pk", "title")  # noqa: S611
    ranked = sorted(
        ((pk, -scores[pk], title) for pk, title in titles.order_by() if pk in scores),
        key=lambda row: (-row[1], row[2]),
    )[:MAX_RESULTS]

    def snippets(pks: list[int]) -> dict:
        if not pks:
            return {}
        placeholders = ", ".join(["%s"] * len(pks))
        with connection.cursor() as cursor:
            cursor.execute(_SQLITE_SNIPPETS.replace("{ids}", placeholders), [match, *pks])
            return {pk: highlight(text) for pk, text in cursor.fetchall()}

    return [(pk, rank) for pk, rank, _title in ranked], snippets


def _postgresql_ranked(queryset, terms: list[str]) -> tuple[list[tuple[int, float]], object]:
    raw_query = " & ".join(f"{term}:*" for term in terms)  # terms are \w+ only
    query = SearchQuery(raw_query, search_type="raw", config="english")
    matches = RawSQL(_PG_MATCHES, [raw_query], output_field=BooleanField())  # noqa: S611
    rank = RawSQL(_PG_RANK, [raw_query], output_field=FloatField())  # noqa: S611
    ranked = list(
        queryset.alias(matches=matches)
        .filter(matches=True)
        .annotate(rank=rank)
        .order_by("-rank", "title")
        .values_list("pk", "rank")[:MAX_RESULTS]
    )

    def snippets(pks: list[int]) -> dict:
        if not pks:
            return {}
        # Headlines are the costly part: only for the hits that will be shown.
        found = (
            GuidanceItem.objects.filter(pk__in=pks)
            .annotate(
                snippet=SearchHeadline(
                    Concat(F("summary"), Value(" "), F("body"), output_field=TextField()),
                    query,
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=30,
                    min_words=12,
                    config="english",
                )
            )
            .values_list("pk", "snippet")
        )
        return {pk: highlight(text) for pk, text in found}

    return [(pk, float(value)) for pk, value in ranked], snippets


def guidance_search(*, queryset, query: str, snippets: slice = slice(0, 50)) -> SearchResults:
    """Items of the queryset matching every word of the query, best first.

    Hits inside the `snippets` window (the page about to be shown) carry a highlighted
    extract; the rest carry an empty one, because extracts cost far more than ranking.
    Without search words, the queryset's items in its own order, each with its summary.
    """
    terms = search_terms(query)
    if not terms:
        ranked = [(pk, 0.0) for pk in queryset.values_list("pk", flat=True)]

        def summaries(pks: list[int]) -> dict:
            found = GuidanceItem.objects.filter(pk__in=pks).values_list("pk", "summary")
            return {pk: escape(summary) for pk, summary in found}

        return SearchResults(
            queryset=queryset, ranked=ranked, snippets=summaries, window=slice(None)
        )
    if connection.vendor == "postgresql":
        ranked, extracts = _postgresql_ranked(queryset, terms)
    else:
        ranked, extracts = _sqlite_ranked(queryset, terms)
    return SearchResults(queryset=queryset, ranked=ranked, snippets=extracts, window=snippets)
