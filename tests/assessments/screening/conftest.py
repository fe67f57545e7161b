import hashlib
import json
from pathlib import Path

import pytest

from assessments.models import (
    Organisation,
    Partner,
    PartnershipRequest,
    Watchlist,
    WatchlistEntry,
    WatchlistVersion,
)
from assessments.screening import service

DATA = Path(__file__).resolve().parents[2] / "data"


def fingerprint(row: dict) -> str:
    """Any stable hash of the screening fields will do: it is only compared for equality."""
    fields = [
        row["name"],
        sorted(row.get("aliases", [])),
        row.get("country", ""),
        row["risk_level"],
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def make_version(watchlist: Watchlist, rows: list[dict], number: int) -> WatchlistVersion:
    WatchlistVersion.objects.filter(watchlist=watchlist, status="active").update(
        status="superseded"
    )
    version = WatchlistVersion.objects.create(
        watchlist=watchlist,
        number=number,
        source="test",
        sha256=f"{number:064d}",
        importer="test",
        importer_version="1",
        status="active",
    )
    WatchlistEntry.objects.bulk_create(
        WatchlistEntry(
            version=version,
            external_id=row["id"],
            name=row["name"],
            aliases=row.get("aliases", []),
            country=row.get("country", ""),
            risk_level=row["risk_level"],
            categories=row.get("categories", []),
            fingerprint=fingerprint(row),
        )
        for row in rows
    )
    return version


@pytest.fixture
def watchlist_rows():
    return json.loads((DATA / "screening_watchlist.json").read_text("utf-8"))["watchlist"]


@pytest.fixture
def aspi(db, watchlist_rows):
    watchlist = Watchlist.objects.create(name="ASPI tracker", format="aspi", blocking=True)
    make_version(watchlist, watchlist_rows, 1)
    return watchlist


@pytest.fixture(autouse=True)
def fresh_index_cache():
    # Database ids repeat across tests after rollbacks, so the cache must not leak between them.
    service._cache.update(version_ids=None, index=None)
    yield
    service._cache.update(version_ids=None, index=None)


@pytest.fixture
def make_request(requester, engineering):
    counter = {"n": 0}

    def make(*partners, status="submitted", next_review_date=None):
        counter["n"] += 1
        request = PartnershipRequest.objects.create(
            reference=f"PR-T{counter['n']:04d}",
            title="Joint centre",
            summary="Work together.",
            lead_academic="Dr A",
            department=engineering,
            created_by=requester,
            collaboration_type="joint_project",
            work_location="both",
            status=status,
            next_review_date=next_review_date,
        )
        for spec in partners:
            name, native = spec if isinstance(spec, tuple) else (spec, "")
            organisation, _ = Organisation.objects.get_or_create(
                name=name, defaults={"name_native": native, "country": "CN"}
            )
            Partner.objects.create(request=request, organisation=organisation)
        return request

    return make
