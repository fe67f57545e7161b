"""Reference data for the legal determinations, as shipped in assessments/data/reference/.

The YAML files are copies of a sourced compilation (see that folder's README.md for where each
entry comes from and what could not be confirmed). Export control list headings are read from
the file (its compilation date is recorded on each determination); NSI Act area versions and
FIRS specified powers are loaded into the database by a migration, so that an administrator can
date the announced NSI areas when they take effect and edit the FIRS specified powers.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"


@lru_cache(maxsize=8)
def _load(name: str) -> dict:
    with open(REFERENCE_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def export_lists_source() -> str:
    """What a rating was picked from: the file and its compilation date."""
    data = _load("export-control-categories.yaml")
    return f"UK Strategic Export Control Lists headings, compiled {data['header']['compiled_on']}"


@lru_cache(maxsize=1)
def export_rating_groups() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The control-list headings a reviewer picks from, grouped: (group, ((code, label), ...)).

    Codes: "ML1".."ML22" (UK Military List), "CAT3" (a dual-use category), "3E" (a dual-use
    category's product group), "PL5001" (UK national entries seen in the sources).
    """
    data = _load("export-control-categories.yaml")
    military = tuple(
        (entry["code"], f"{entry['code']} — {entry.get('berr_summary') or entry['short_title']}")
        for entry in data["military_list"]
    )
    categories = data["dual_use_list"]["categories"]
    groups = data["dual_use_list"]["product_groups"]
    dual_use = []
    for category in categories:
        name = category["label_annex_i"]
        dual_use.append((f"CAT{category['code']}", f"Category {category['code']} — {name}"))
        for group in groups:
            dual_use.append(
                (
                    f"{category['code']}{group['code']}",
                    f"{category['code']}{group['code']} — {name}: {group['label'].lower()}",
                )
            )
    national = tuple(
        (entry["code"], f"{entry['code']} — {entry['description'].split(' (')[0]}")
        for entry in data["uk_national_pl_entries_seen"]
    )
    return (
        ("UK Military List", military),
        ("Dual-use list", tuple(dual_use)),
        ("UK national controls (PL)", national),
    )


@lru_cache(maxsize=1)
def export_rating_labels() -> dict[str, str]:
    return {code: label for _group, entries in export_rating_groups() for code, label in entries}


# --- NSI Act areas -----------------------------------------------------------------------------

ANNOUNCED_CODE = "announced-2026"


def nsi_versions_data() -> list[dict]:
    """The two versions the data gives: the 17 areas of S.I. 2021/1264 (in force 4 January
    2022) and the announced changes (not yet in force: no date)."""
    data = _load("nsi-areas.yaml")
    areas = [
        {"code": _slug(area["guidance_name"]), "name": area["guidance_name"]}
        for area in data["areas"]["list"]
    ]
    announced = [dict(area) for area in areas if area["code"] != "computing-hardware"]
    for area in announced:
        if area["code"] == "artificial-intelligence":
            area["name"] = "Artificial Intelligence (narrowed: mere users of off-the-shelf AI out)"
    announced += [
        {"code": "semiconductors", "name": "Semiconductors (absorbing Computing Hardware)"},
        {"code": "critical-minerals", "name": "Critical Minerals"},
        {"code": "water", "name": "Water"},
    ]
    announced.sort(key=lambda area: area["name"])
    return [
        {
            "code": "2021",
            "title": "The 17 areas of S.I. 2021/1264",
            "effective_from": date.fromisoformat(data["regime"]["in_force"]),
            "areas": areas,
            "source": "S.I. 2021/1264 (the Notifiable Acquisition Regulations), in force "
            "4 January 2022; legislation.gov.uk/uksi/2021/1264.",
        },
        {
            "code": ANNOUNCED_CODE,
            "title": "The announced changes (Water; Semiconductors; Critical Minerals; AI narrowed)",
            "effective_from": None,
            "areas": announced,
            "source": "Written Ministerial Statement of 22 July 2025 and the government response "
            "of 12 March 2026. Announced, not in force when compiled: set the date the amending "
            "regulations take effect.",
        },
    ]


def _slug(text: str) -> str:
    return "-".join(text.lower().replace("-", " ").split())


def nsi_version_on(day: date):
    """The NSI area version in force on `day` (the latest dated one on or before it)."""
    from ..models import NsiAreaVersion

    return (
        NsiAreaVersion.objects.filter(effective_from__isnull=False, effective_from__lte=day)
        .order_by("-effective_from", "-id")
        .first()
    )


# --- FIRS specified powers ---------------------------------------------------------------------


def firs_powers_data() -> list[dict]:
    data = _load("firs.yaml")
    in_force = date.fromisoformat(data["scheme"]["in_force"])
    powers = []
    for country, key in (("IR", "iran"), ("RU", "russia")):
        entry = data["specified_persons"][key]
        powers.append(
            {
                "country": country,
                "name": key.capitalize(),
                "regulations": entry["regulations"],
                "effective_from": in_force,
                "notes": "; ".join(entry["controlled_entities"]),
            }
        )
    return powers


def firs_specified_on(day: date):
    """The FIRS specified powers on `day`."""
    from django.db.models import Q

    from ..models import FirsSpecifiedPower

    return FirsSpecifiedPower.objects.filter(effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)
    )


# --- who licenses and registers -----------------------------------------------------------------


def adviser(key: str) -> dict:
    for body in _load("advisers.yaml")["bodies"]:
        if body["key"] == key:
            return body
    raise KeyError(key)
