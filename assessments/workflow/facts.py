"""Checks on a request's stated facts that the web form and the API share.

Pure: a mapping of field names to values in, a mapping of field names to messages out (empty
when the facts may be saved). The form's clean() and the serializer's validate() both call
`request_facts_validate`, so a requester hears the same thing whichever way they come in.
"""

from ..models.requests import ResearchKind, TechnologyReadiness

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
    """Every problem with the stated facts, by field name; empty when they may be saved."""
    errors: dict[str, str] = {}
    errors.update(_intake_errors(facts))
    return errors
