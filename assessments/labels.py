"""Words people read instead of stored codes: "partly_met" reads "partly met".

Audit events keep their summaries as written (the chain hashes them), and older summaries hold
codes; pages that people read pass a summary through `readable_codes`. Exports and the API
keep the codes.
"""

import re
from functools import cache

from django.db import models


@cache
def _code_labels() -> dict[str, str]:
    from guidance.models import Status as GuidanceStatus
    from ukcn.roles import Role

    from .models import Answer, MatchStatus, RequestStatus, RiskLevel, Tier

    labels: dict[str, str] = {}
    choices: list[type[models.TextChoices]] = [
        Answer,
        MatchStatus,
        RequestStatus,
        RiskLevel,
        Tier,
        GuidanceStatus,
        Role,
    ]
    for choice in choices:
        for value, label in choice.choices:
            # Single words read as they are ("met", "high"); only joined codes need a label.
            if "_" in value:
                labels[value] = str(label).lower()
    return labels


_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def readable_codes(text: str) -> str:
    """Replace the choice codes in `text` ("very_high") with their labels ("very high")."""
    labels = _code_labels()
    return _CODE.sub(lambda match: labels.get(match.group(0), match.group(0)), text or "")


def person_name(user, fallback: str = "") -> str:
    """A person as people read them: the full name, else the username (else `fallback`)."""
    if user is None:
        return fallback
    return user.get_full_name() or user.get_username()
