"""Import 100,000 synthetic entries with aliases from csv and ftm; time and peak memory.

Run `make bench` for SQLite and `DATABASE_URL=postgres://... make bench` for PostgreSQL.
Figures go to var/bench/watchlist_import_<format>_<database>.json.
"""

import csv
import io
import json
import os
import resource
import sys
import time

import pytest
from django.db import connection

from assessments.models import Watchlist, WatchlistEntry
from assessments.watchlists.loader import watchlist_import

ENTRIES = 100_000
TARGET_SECONDS = 5.0
TARGET_BYTES = 1024**3
COUNTRIES = ["CN", "RU", "IR", "KP", "GB", "US"]
RISKS = ["very_high", "high", "medium", "low", ""]


def _entry(i: int) -> dict:
    return {
        "id": f"E{i:06d}",
        "name": f"Institute of Applied Research Number {i}",
        "aliases": [f"IARN{i}", f"第{i}应用研究所", f"Applied Research Institute {i}"],
        "country": COUNTRIES[i % len(COUNTRIES)],
        "risk_level": RISKS[i % len(RISKS)],
        "categories": ["Synthetic", f"Group {i % 50}"],
    }


def synthetic_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["id", "name", "aliases", "country", "risk_level", "categories", "notes", "source_url"]
    )
    for i in range(ENTRIES):
        e = _entry(i)
        writer.writerow(
            [
                e["id"],
                e["name"],
                "|".join(e["aliases"]),
                e["country"],
                e["risk_level"],
                "|".join(e["categories"]),
                "",
                f"https://example.org/entities/{e['id']}",
            ]
        )
    return out.getvalue().encode()


def synthetic_ftm() -> bytes:
    lines = []
    for i in range(ENTRIES):
        e = _entry(i)
        lines.append(
            json.dumps(
                {
                    "id": e["id"],
                    "schema": "Organization" if i % 3 else "Company",
                    "caption": e["name"],
                    "properties": {
                        "name": [e["name"]],
                        "alias": e["aliases"][:2],
                        "weakAlias": e["aliases"][2:],
                        "country": [e["country"].lower()],
                        "topics": ["export.control"],
                    },
                    "datasets": ["synthetic"],
                },
                ensure_ascii=False,
            )
        )
    return ("\n".join(lines) + "\n").encode()


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@pytest.mark.parametrize(("fmt", "make"), [("csv", synthetic_csv), ("ftm", synthetic_ftm)])
def test_importing_100000_entries(db, bench_record, fmt, make):
    data = make()
    watchlist = Watchlist.objects.create(name=f"Bench {fmt}", format=fmt)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = watchlist_import(watchlist=watchlist, data=data, source=f"bench.{fmt}", importer=fmt)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak = _peak_rss_bytes()
    assert WatchlistEntry.objects.filter(version=result.version).count() == ENTRIES
    figures = {
        "format": fmt,
        "database": connection.vendor,
        "entries": ENTRIES,
        "bytes": len(data),
        "seconds": round(seconds, 3),
        "rows_per_second": round(ENTRIES / seconds),
        # This process's CPU time: on a shared machine the wall clock includes waiting for a core
        # (and, on PostgreSQL, the server's own work, which this figure leaves out).
        "cpu_seconds": round(cpu_seconds, 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "peak_rss_mb": round(peak / 1024**2, 1),
        "target_seconds": TARGET_SECONDS,
        "target_peak_mb": TARGET_BYTES // 1024**2,
        "within_target": seconds < TARGET_SECONDS and peak < TARGET_BYTES,
    }
    bench_record(f"watchlist_import_{fmt}_{connection.vendor}", figures)
