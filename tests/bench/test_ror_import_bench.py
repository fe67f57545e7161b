"""Import a synthetic ROR dump of 120,000 schema-v2 records from a zip; time and peak memory.

Run `make bench` for SQLite and `DATABASE_URL=postgres://... make bench` for PostgreSQL.
Figures go to var/bench/ror_import_<database>.json. The issue's target: under a minute, memory
well under 1 GB. A second run of the same dump (nothing changed) is timed too.
"""

import json
import os
import resource
import sys
import time
import zipfile

from django.db import connection

from assessments.models import OrganisationIdentity
from assessments.organisations.ror import ror_import

RECORDS = 120_000
TARGET_SECONDS = 60.0
TARGET_BYTES = 1024**3
COUNTRIES = [
    ("CN", "China", "Harbin"),
    ("GB", "United Kingdom", "Leeds"),
    ("US", "United States", "Boston"),
]


def _ror_id(i: int) -> str:
    return f"0{i:08d}"


def _record(i: int) -> dict:
    code, country, city = COUNTRIES[i % len(COUNTRIES)]
    relationships = []
    if i % 10:
        relationships.append(
            {
                "label": f"Parent {i // 10}",
                "type": "parent",
                "id": f"https://ror.org/{_ror_id(i - i % 10)}",
            }
        )
    else:
        relationships += [
            {"label": f"Child {i + k}", "type": "child", "id": f"https://ror.org/{_ror_id(i + k)}"}
            for k in range(1, 10)
        ]
    return {
        "admin": {
            "created": {"date": "2019-01-01", "schema_version": "1.0"},
            "last_modified": {"date": "2026-06-23", "schema_version": "2.1"},
        },
        "domains": [f"inst{i}.example.org"],
        "established": 1900 + i % 120,
        "external_ids": [
            {"all": [f"grid.{i}.1"], "preferred": f"grid.{i}.1", "type": "grid"},
            {"all": [f"Q{i}"], "preferred": None, "type": "wikidata"},
        ],
        "id": f"https://ror.org/{_ror_id(i)}",
        "links": [{"type": "website", "value": f"https://inst{i}.example.org"}],
        "locations": [
            {
                "geonames_details": {
                    "country_code": code,
                    "country_name": country,
                    "lat": 45.75,
                    "lng": 126.65,
                    "name": city,
                },
                "geonames_id": 2037013,
            }
        ],
        "names": [
            {"lang": None, "types": ["acronym"], "value": f"IAR{i}"},
            {
                "lang": "en",
                "types": ["ror_display", "label"],
                "value": f"Institute of Applied Research {i}",
            },
            {"lang": "zh", "types": ["label"], "value": f"第{i}应用研究所"},
            {"lang": "en", "types": ["alias"], "value": f"Applied Research Institute {i}"},
        ],
        "relationships": relationships,
        "status": "active" if i % 50 else "inactive",
        "types": ["education", "funder"] if i % 3 else ["facility"],
    }


def _write_dump(path) -> int:
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("v2.9-2026-06-23-ror-data.json", "w") as out,
    ):
        out.write(b"[")
        for i in range(RECORDS):
            if i:
                out.write(b",\n")
            out.write(json.dumps(_record(i), ensure_ascii=False).encode())
        out.write(b"]")
    return path.stat().st_size


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def test_importing_120000_ror_records(db, bench_record, tmp_path):
    path = tmp_path / "ror-data.zip"
    size = _write_dump(path)
    peak_before = _peak_rss_bytes()
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = ror_import(path)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak = _peak_rss_bytes()
    assert summary.added == RECORDS
    assert OrganisationIdentity.objects.count() == RECORDS
    again_started = time.perf_counter()
    again = ror_import(path)
    again_seconds = time.perf_counter() - again_started
    assert again.unchanged == RECORDS
    figures = {
        "database": connection.vendor,
        "records": RECORDS,
        "zip_bytes": size,
        "seconds": round(seconds, 3),
        "records_per_second": round(RECORDS / seconds),
        "cpu_seconds": round(cpu_seconds, 3),
        "second_run_unchanged_seconds": round(again_seconds, 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        # The whole test process's peak (pytest, Django and the import); the rise during the
        # import is the import's own share.
        "peak_rss_mb": round(peak / 1024**2, 1),
        "peak_rss_rise_during_import_mb": round((peak - peak_before) / 1024**2, 1),
        "target_seconds": TARGET_SECONDS,
        "target_peak_mb": TARGET_BYTES // 1024**2,
        "within_target": seconds < TARGET_SECONDS and peak < TARGET_BYTES,
    }
    bench_record(f"ror_import_{connection.vendor}", figures)
    assert figures["within_target"], figures
