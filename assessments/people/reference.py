"""Loading an ATAS list version: from a dated CSV (command and admin) or by hand in the admin.

CSV columns: `list,code` (and optionally `name`), one code per line, where `list` is
`exempt_nationality` (ISO 3166 alpha-2), `cah3` (e.g. CAH07-01-01) or `soc` (four digits).
A file with any bad line is refused whole and nothing changes.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pycountry
from django.db import IntegrityError, transaction

from ukcn.refusals import Refusal

from ..audit import audit_record
from ..models import AtasListVersion
from ..workflow.facts import CAH3_PATTERN, SOC_PATTERN

LISTS = ("exempt_nationality", "cah3", "soc")


def atas_csv_parse(text: str) -> dict[str, list[str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or not {"list", "code"} <= {f.strip() for f in reader.fieldnames}:
        raise Refusal("The CSV needs the columns list and code.", kind="invalid")
    found: dict[str, set[str]] = {name: set() for name in LISTS}
    for line, row in enumerate(reader, start=2):
        which = (row.get("list") or "").strip().lower()
        code = (row.get("code") or "").strip().upper()
        if which not in LISTS:
            raise Refusal(
                f"Line {line}: list must be one of {', '.join(LISTS)}, not {which!r}.",
                kind="invalid",
            )
        ok = {
            "exempt_nationality": lambda c: bool(pycountry.countries.get(alpha_2=c)),
            "cah3": lambda c: bool(CAH3_PATTERN.match(c)),
            "soc": lambda c: bool(SOC_PATTERN.match(c)),
        }[which](code)
        if not ok:
            raise Refusal(f"Line {line}: {code!r} is not a valid {which} code.", kind="invalid")
        found[which].add(code)
    if not found["exempt_nationality"]:
        raise Refusal(
            "The file lists no exempt nationality: a version replaces the whole lists, so "
            "give all three.",
            kind="invalid",
        )
    return {name: sorted(codes) for name, codes in found.items()}


def atas_version_import(
    *,
    text: str,
    label: str,
    effective_from: date,
    source: str,
    complete: bool,
    actor=None,
    ip=None,
) -> AtasListVersion:
    lists = atas_csv_parse(text)
    if not (label or "").strip() or not (source or "").strip():
        raise Refusal("Give the version a label and its source.", kind="invalid")
    try:
        with transaction.atomic():
            version = AtasListVersion.objects.create(
                label=label.strip(),
                effective_from=effective_from,
                source=source.strip(),
                exempt_countries=lists["exempt_nationality"],
                cah3_codes=lists["cah3"],
                soc_codes=lists["soc"],
                complete=complete,
                loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_record(
                actor=actor,
                action="atas_list_loaded",
                summary=f"ATAS lists {version} loaded",
                obj=version,
                changes={
                    "exempt_countries": len(lists["exempt_nationality"]),
                    "cah3_codes": len(lists["cah3"]),
                    "soc_codes": len(lists["soc"]),
                    "complete": complete,
                },
                ip=ip,
            )
    except IntegrityError:
        raise Refusal(f"A version labelled {label!r} already exists.", kind="conflict") from None
    return version
