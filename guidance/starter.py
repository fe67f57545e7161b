"""The starter guidance shipped with ukcn: versioned YAML files in guidance/data/."""

from pathlib import Path

import yaml

from .feed import FEED_FORMAT, FEED_FORMAT_VERSION, FeedError, ImportReport, guidance_import

DATA_DIR = Path(__file__).resolve().parent / "data"
# Every ukcn instance ships the same starter items under this source, so peers that share
# them recognise them as the same items rather than duplicating them.
STARTER_INSTITUTION = "ukcn starter library"


def starter_document(path: Path) -> dict:
    """Read one starter file as a feed document; FeedError when it is malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FeedError(f"{path.name}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError(f"{path.name}: expected 'version' and a list of 'items'.")
    items = [
        {"source_organisation": "institution", **item, "source_institution": STARTER_INSTITUTION}
        for item in data["items"]
    ]
    return {"format": FEED_FORMAT, "format_version": FEED_FORMAT_VERSION, "items": items}


def starter_load(*, data_dir: Path = DATA_DIR, actor=None) -> dict[str, ImportReport]:
    """Load every starter file; safe to run again (unchanged items are left alone)."""
    reports = {}
    for path in sorted(data_dir.glob("*.yaml")):
        version = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("version", "?")
        reports[path.name] = guidance_import(
            document=starter_document(path), origin=f"starter:{path.name}@v{version}", actor=actor
        )
    return reports
