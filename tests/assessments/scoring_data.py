"""Plain-data builders shared by the scoring tests: the default policy and checklist as shipped."""

import copy
from functools import cache

import yaml
from django.conf import settings

from assessments.scoring import AnswerFact, ConfirmedMatch

DATA = settings.BASE_DIR / "assessments" / "data"


@cache
def _default_policy() -> dict:
    return yaml.safe_load((DATA / "scoring_policy.yaml").read_text())


def default_policy() -> dict:
    return copy.deepcopy(_default_policy())


@cache
def checklist_weights() -> tuple[tuple[str, int], ...]:
    items = yaml.safe_load((DATA / "checklist.yaml").read_text())["items"]
    return tuple((item["ref_id"], item["weight"]) for item in items)


def all_answered(answer: str) -> tuple[AnswerFact, ...]:
    return tuple(AnswerFact(ref_id, weight, answer) for ref_id, weight in checklist_weights())


def match(risk_level="low", blocking=False, name="Example University") -> ConfirmedMatch:
    return ConfirmedMatch(
        list_name="Defence universities tracker",
        watchlist_id=1,
        version_id=7,
        version_number=3,
        entry_external_id="x-1",
        entry_name=name,
        risk_level=risk_level,
        blocking=blocking,
        organisation_name=name,
    )
