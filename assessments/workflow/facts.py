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
from decimal import Decimal, InvalidOperation

import pycountry
from django.utils import timezone

from ..models.requests import IpKind, ResearchKind, TechnologyReadiness, Transfer

# How far from the day a request is registered its start may lie, and how long it may run.
START_WINDOW_YEARS = 10
MAX_DURATION_YEARS = 10

END_BEFORE_START = "The end date is before the start date."
SECTORS_AND_NONE = (
    "Either choose the NSI Act sectors the work touches or say it touches none of them, not both."
)
CURRENCY_CODE = "Enter an ISO 4217 currency code, e.g. GBP, CNY, EUR."
FUNDER_UNNAMED = "Name the funder, or mark its origin undisclosed if it is not known."
AMOUNT_NEGATIVE = "The amount cannot be negative."
START_OUT_OF_RANGE = (
    f"The start date must be within {START_WINDOW_YEARS} years of the date the request is "
    "registered ({earliest} to {latest})."
)
TOO_LONG = (
    f"A partnership can run for at most {MAX_DURATION_YEARS} years: the end date must be on or "
    "before {latest}."
)
NAME_WITHOUT_LETTERS = "A name must contain letters (Latin, Chinese or any other script)."


def currency_is_known(code: str) -> bool:
    """Whether `code` is a current ISO 4217 currency (GBP, CNY, ...)."""
    return len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None


def name_has_letters(name) -> bool:
    """Whether a name has at least one letter of any script (CJK ideographs count)."""
    return any(character.isalpha() for character in str(name or ""))


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def funding_row_validate(row: dict) -> dict[str, str]:
    """One funding source: `{field: message}`."""
    errors = {}
    currency = row.get("currency")
    if currency is not None and not currency_is_known(str(currency).strip().upper()):
        errors["currency"] = CURRENCY_CODE
    funder = (row.get("funder_name") or "").strip()
    if not funder and not row.get("origin_undisclosed"):
        errors["funder_name"] = FUNDER_UNNAMED
    elif funder and not name_has_letters(funder):
        errors["funder_name"] = NAME_WITHOUT_LETTERS
    amount = row.get("amount")
    if amount not in (None, ""):
        try:
            if Decimal(str(amount)) < 0:
                errors["amount"] = AMOUNT_NEGATIVE
        except InvalidOperation:
            pass  # not a number: the field's own parsing says so
    return errors


def partner_row_validate(new_organisation: dict | None) -> dict[str, str]:
    """A new partner organisation as described: `{field: message}`."""
    if new_organisation and not name_has_letters(new_organisation.get("name")):
        return {"name": NAME_WITHOUT_LETTERS}
    return {}


CAH3_PATTERN = re.compile(r"^CAH\d{2}-\d{2}-\d{2}$")
SOC_PATTERN = re.compile(r"^\d{4}$")
NOT_COMING_BUT_ROUTE = (
    "Someone not coming to the UK has no UK immigration route: choose 'Not coming to the UK' "
    "or leave the route blank."
)


def person_row_validate(row: dict) -> dict[str, str]:
    """One person taking part: `{field: message}` (the formset, the API and the service)."""
    errors: dict[str, str] = {}
    if "name" in row and not name_has_letters(row.get("name")):
        errors["name"] = NAME_WITHOUT_LETTERS
    for code in row.get("nationalities") or []:
        if not (isinstance(code, str) and pycountry.countries.get(alpha_2=code.upper())):
            errors["nationalities"] = f"{code} is not an ISO 3166 country code (e.g. CN, GB)."
            break
    cah3 = (row.get("cah3_code") or "").strip().upper()
    if cah3 and not CAH3_PATTERN.match(cah3):
        errors["cah3_code"] = "Give the CAH3 code as written in the HESA list, e.g. CAH07-01-01."
    soc = (row.get("soc_code") or "").strip()
    if soc and not SOC_PATTERN.match(soc):
        errors["soc_code"] = "Give the four-digit SOC 2020 code, e.g. 2119."
    route = row.get("immigration_route") or ""
    if row.get("coming_to_uk") is False and route and route != "not_coming":
        errors["immigration_route"] = NOT_COMING_BUT_ROUTE
    start, end = row.get("start_date"), row.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["end_date"] = END_BEFORE_START
    return errors


def dates_validate(start, end, registered_on: date | None = None) -> dict[str, str]:
    """The project's dates against each other and the day the request is registered (today
    for a new one)."""
    errors: dict[str, str] = {}
    registered_on = registered_on or timezone.localdate()
    if isinstance(start, date):
        earliest = years_later(registered_on, -START_WINDOW_YEARS)
        latest = years_later(registered_on, START_WINDOW_YEARS)
        if not earliest <= start <= latest:
            errors["start_date"] = START_OUT_OF_RANGE.format(
                earliest=earliest.isoformat(), latest=latest.isoformat()
            )
    if isinstance(start, date) and isinstance(end, date):
        if end < start:
            errors["end_date"] = END_BEFORE_START
        elif end > years_later(start, MAX_DURATION_YEARS):
            errors["end_date"] = TOO_LONG.format(
                latest=years_later(start, MAX_DURATION_YEARS).isoformat()
            )
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
    transfers = facts.get("transfers")
    if transfers is not None and (
        not isinstance(transfers, list | tuple)
        or any(item not in Transfer.values for item in transfers)
        or len(set(transfers)) != len(transfers)
    ):
        errors["transfers"] = "Choose from items, software, technology and data, each once."
    if (facts.get("ip_kind") or "") not in ("", *IpKind.values):
        errors["ip_kind"] = (
            "Choose none, background licensed, foreground assigned or spin-out equity."
        )
    stated = share is not None and share != ""
    if stated and (isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100):
        errors["largest_foreign_funding_share"] = (
            "Give the share as a whole percentage from 0 to 100."
        )
    return errors


def request_facts_validate(facts: dict) -> dict[str, str]:
    """Every rule on a request's stated facts that spans fields or rows: `{field: message}`,
    empty when the facts hold together. Give what is known; a missing key is not checked.
    `registered_on` is the day the request was (or is being) registered: today if not given."""
    errors: dict[str, str] = dates_validate(
        facts.get("start_date"), facts.get("end_date"), facts.get("registered_on")
    )
    errors.update(_intake_errors(facts))
    if facts.get("no_nsi_sector") and facts.get("sectors"):
        errors["no_nsi_sector"] = SECTORS_AND_NONE
    for number, row in enumerate(facts.get("funding") or []):
        for name, message in funding_row_validate(row).items():
            errors[f"funding.{number}.{name}"] = message
    for number, person in enumerate(facts.get("people") or []):
        for name, message in person_row_validate(person).items():
            errors[f"people.{number}.{name}"] = message
    seen = {}
    for number, partner in enumerate(facts.get("partners") or []):
        for name, message in partner_row_validate(_new_organisation(partner)).items():
            errors[f"partners.{number}.{name}"] = message
        key = _organisation_key(partner)
        if key is None:
            continue
        if key in seen:
            errors[f"partners.{number}.organisation"] = (
                f"{_partner_name(partner)} is listed twice as a partner."
            )
        seen[key] = number
    return errors


def _new_organisation(partner) -> dict | None:
    if isinstance(partner, dict):
        return partner.get("new_organisation")
    return getattr(partner, "new_organisation", None)


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
