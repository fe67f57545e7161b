"""Plain-data builders shared by the scoring tests: the policies and checklist as shipped.

`default_policy()` is the two-axis policy (schema 2) the loader publishes; `v1_policy()` is the
first, additive policy (schema 1), kept so assessments made under it stay explainable."""

import copy
from functools import cache

import yaml
from django.conf import settings

from assessments.scoring.points import AnswerFact, ConfirmedMatch

DATA = settings.BASE_DIR / "assessments" / "data"


@cache
def _policy(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text())


def default_policy() -> dict:
    return copy.deepcopy(_policy("scoring_policy.yaml"))


def v1_policy() -> dict:
    return copy.deepcopy(_policy("scoring_policy_v1.yaml"))


@cache
def checklist_weights() -> tuple[tuple[str, int], ...]:
    items = yaml.safe_load((DATA / "checklist.yaml").read_text())["items"]
    return tuple((item["ref_id"], item["weight"]) for item in items)


def all_answered(answer: str, *, evidence: bool = True) -> tuple[AnswerFact, ...]:
    return tuple(
        AnswerFact(ref_id, weight, answer, evidence) for ref_id, weight in checklist_weights()
    )


# The checklist the first policy was written against (GP-01 to GP-14 with their weights), as
# loaded before the two-axis policy retired GP-06 and added the controls.
V1_CHECKLIST_WEIGHTS = (
    ("GP-01", 2),
    ("GP-02", 2),
    ("GP-03", 1),
    ("GP-04", 1),
    ("GP-05", 1),
    ("GP-06", 3),
    ("GP-07", 3),
    ("GP-08", 3),
    ("GP-09", 3),
    ("GP-10", 3),
    ("GP-11", 2),
    ("GP-12", 1),
    ("GP-13", 2),
    ("GP-14", 1),
)


def v1_checklist_weights() -> tuple[tuple[str, int], ...]:
    return V1_CHECKLIST_WEIGHTS


def all_answered_v1(answer: str) -> tuple[AnswerFact, ...]:
    return tuple(AnswerFact(ref_id, weight, answer) for ref_id, weight in V1_CHECKLIST_WEIGHTS)


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
