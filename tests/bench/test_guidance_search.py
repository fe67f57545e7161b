"""How fast guidance search answers on a repository far larger than the starter content."""

import random
import statistics
import time

from django.db import connection

from guidance.models import GuidanceItem, Status
from guidance.search import guidance_search

WORDS = [
    "export",
    "control",
    "dual",
    "use",
    "partner",
    "funding",
    "laboratory",
    "visitor",
    "data",
    "protection",
    "transfer",
    "university",
    "institute",
    "academic",
    "freedom",
    "reputation",
    "sanctions",
    "satellite",
    "quantum",
    "materials",
    "robotics",
    "energy",
    "transport",
    "travel",
    "safety",
    "device",
    "agreement",
    "statement",
    "intent",
    "committee",
]
ITEMS = 5000
PAGE = 25  # guidance.views.PAGE_SIZE
QUERIES = ["export control", "laboratory visitor", "quantum", "academic freedom travel", "data"]


def test_guidance_search_latency(db, bench_record):
    rng = random.Random(7)
    GuidanceItem.objects.bulk_create(
        GuidanceItem(
            ref_id=f"B-{n}",
            source_institution="Bench",
            title=" ".join(rng.choices(WORDS, k=5)),
            slug=f"bench-{n}",
            summary=" ".join(rng.choices(WORDS, k=20)),
            body=" ".join(rng.choices(WORDS, k=300)),
            status=Status.PUBLISHED,
        )
        for n in range(ITEMS)
    )
    queryset = GuidanceItem.objects.published()
    timings = []
    for _ in range(5):
        for query in QUERIES:
            started = time.perf_counter()
            hits = guidance_search(queryset=queryset, query=query)
            page = hits[:PAGE]  # what the list page shows: its items and their extracts
            timings.append((time.perf_counter() - started) * 1000)
            assert page and page[0].snippet
    timings.sort()
    bench_record(
        f"guidance_search_{connection.vendor}",
        {
            "items": ITEMS,
            "searches": len(timings),
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
            "max_ms": round(timings[-1], 1),
        },
    )
