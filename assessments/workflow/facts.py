"""What a requester states about a request, checked in one place.

`request_facts_validate(facts)` answers `{field: message}` for a request's facts as plain data;
the web form, the API serializers and the workflow (`request_create`, `request_update`) all
ask it, so a rule is written once and no way in accepts what another refuses. Funding rows'
fields are named `funding.<n>.<field>`, partners' `partners.<n>.<field>`.

Each caller turns the messages into its own shape: a form's field errors, a serializer's
`ValidationError`, the workflow's `Refusal` (kind "invalid", with the fields).
"""

import re
from datetime import date

from ..models.requests import ResearchKind, TechnologyReadiness

CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")

END_BEFORE_START = "The end date is before the start date."
SECTORS_AND_NONE = (
    "Either choose the NSI Act sectors the work touches or say it touches none of them, not both."
)
CURRENCY_CODE = "Enter a three-letter currency code, e.g. GBP, CNY."
FUNDER_UNNAMED = "Name the funder, or mark its origin undisclosed if it is not known."


def funding_row_validate(row: dict) -> dict[str, str]:
    """One funding source: `{field: message}`."""
    errors = {}
    currency = row.get("currency")
    if currency is not None and not CURRENCY_PATTERN.fullmatch(str(currency).strip().upper()):
        errors["currency"] = CURRENCY_CODE
    if not (row.get("funder_name") or "").strip() and not row.get("origin_undisclosed"):
        errors["funder_name"] = FUNDER_UNNAMED
    return errors


def _organisation_key(partner) -> object:
    """What makes two partner rows the same organisation: its id, or a new one's name and
    country as typed (case and spacing aside)."""
    organisation = (
        partner.get("organisation") if isinstance(partner, dict) else partner.organisation
    )
    if organisation is not None:
        return ("id", organisation.pk)
    new = (partner.get("new_organisation") if isinstance(partner, dict) else None) or getattr(
        partner, "new_organisation", None
    )
    if not new:
        return None
    return ("new", " ".join((new.get("name") or "").split()).casefold(), new.get("country", ""))


# --- Intake questions of the two-axis risk model (basic vs applied, TRL, funding share) ---


def _intake_errors(facts: dict) -> dict[str, str]:
    errors = {}
    kind = facts.get("research_kind") or ""
    readiness = facts.get("technology_readiness") or ""
    share = facts.get("largest_foreign_funding_share")
    if kind not in ("", *ResearchKind.values):
        errors["research_kind"] = "Choose basic or applied research."
    if readiness not in ("", *TechnologyReadiness.values):
        errors["technology_readiness"] = (
            "Choose a technology readiness level from 1 to 9, or basic research."
        )
    elif kind == ResearchKind.APPLIED and readiness == TechnologyReadiness.BASIC:
        errors["technology_readiness"] = (
            "Applied research has a technology readiness level: choose one from 1 to 9."
        )
    stated = share is not None and share != ""
    if stated and (isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100):
        errors["largest_foreign_funding_share"] = (
            "Give the share as a whole percentage from 0 to 100."
        )
    return errors


def request_facts_validate(facts: dict) -> dict[str, str]:
    """Every rule on a request's stated facts that spans fields or rows: `{field: message}`,
    empty when the facts hold together. Give what is known; a missing key is not checked."""
    errors: dict[str, str] = _intake_errors(facts)
    start, end = facts.get("start_date"), facts.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["end_date"] = END_BEFORE_START
    if facts.get("no_nsi_sector") and facts.get("sectors"):
        errors["no_nsi_sector"] = SECTORS_AND_NONE
    for number, row in enumerate(facts.get("funding") or []):
        for name, message in funding_row_validate(row).items():
            errors[f"funding.{number}.{name}"] = message
    seen = {}
    for number, partner in enumerate(facts.get("partners") or []):
        key = _organisation_key(partner)
        if key is None:
            continue
        if key in seen:
            errors[f"partners.{number}.organisation"] = (
                f"{_partner_name(partner)} is listed twice as a partner."
            )
        seen[key] = number
    return errors


def _partner_name(partner) -> str:
    organisation = (
        partner.get("organisation") if isinstance(partner, dict) else partner.organisation
    )
    if organisation is not None:
        return str(organisation)
    new = partner.get("new_organisation") if isinstance(partner, dict) else None
    new = new or getattr(partner, "new_organisation", None) or {}
    return new.get("name") or "This organisation"


def errors_for_row(errors: dict[str, str], collection: str, number: int) -> dict[str, str]:
    """The messages of one row (`funding.<n>.<field>`), keyed by the row's own field names."""
    prefix = f"{collection}.{number}."
    return {
        key[len(prefix) :]: message for key, message in errors.items() if key.startswith(prefix)
    }


def request_level_errors(errors: dict[str, str]) -> dict[str, str]:
    """The messages about the request's own fields (not its funding or partner rows)."""
    return {key: message for key, message in errors.items() if "." not in key}


def serializer_errors(errors: dict[str, str]) -> dict:
    """`{field: message}` in the nested shape DRF answers: `funding.0.currency` becomes
    `{"funding": [{"currency": [...]}]}`-like lists keyed by row number."""
    nested: dict = {}
    for key, message in errors.items():
        parts = key.split(".")
        if len(parts) == 3:
            collection, number, name = parts
            rows = nested.setdefault(collection, {})
            rows.setdefault(int(number), {}).setdefault(name, []).append(message)
        else:
            nested.setdefault(key, []).append(message)
    for collection, rows in list(nested.items()):
        if isinstance(rows, dict):
            nested[collection] = [rows.get(n, {}) for n in range(max(rows) + 1)]
    return nested
