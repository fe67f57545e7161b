"""Benchmarks run only under `make bench` (UKCN_BENCH=1); `make test` leaves them out."""

import json
import os
from pathlib import Path

import pytest

if os.environ.get("UKCN_BENCH") != "1":
    collect_ignore_glob = ["*.py"]

RESULTS = Path(__file__).resolve().parents[2] / "var" / "bench"


@pytest.fixture
def bench_record():
    """Write one benchmark's figures to var/bench/<name>.json and echo them."""

    def record(name: str, figures: dict) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{name}.json"
        path.write_text(json.dumps(figures, indent=2, default=str) + "\n")
        print(f"\n[bench] {name}: {json.dumps(figures, default=str)}")
        return path

    return record
