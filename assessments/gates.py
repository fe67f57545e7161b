"""The gate list: what is still missing before a request's next step, as data.

One function, `request_gates`, answers "what stands between this request and its next step?"
as a list of named gates, each satisfied or carrying a sentence. The workflow refuses to
recommend, decide or sign off while any gate is open; the request page, the API and the audit
report show the same list. Other modules add their checks with `gate_register` instead of
adding conditions to the workflow (a legal determination, an ATAS certificate...).

A gate check takes the request (and a small context shared by all checks of one call) and
returns a `Gate`, or None when it does not apply to this request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from .models import (
    MatchStatus,
    PartnershipRequest,
    RequestStatus,
    ScreeningMatch,
    SubjectKind,
)
from .scoring_policy import policy_schema

# The steps the gates guard: a recommendation, a decision, and each sign-off of a decision.
STEPS = ("recommend", "decide", "sign_off")


@dataclass(frozen=True)
class Gate:
    """One check before the next step: satisfied, or a sentence saying what is missing."""

    code: str
    label: str
    satisfied: bool
    message: str = ""
    # How many things are outstanding (matches, items...), where that is countable.
    outstanding: int = 0

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "satisfied": self.satisfied,
            "message": self.message,
            "outstanding": self.outstanding,
        }


@dataclass
class GateContext:
    """Things several checks need, computed once per call."""

    request: PartnershipRequest
    step: str
    cache: dict = field(default_factory=dict)


GateCheck = Callable[[PartnershipRequest, GateContext], "Gate | None"]


@dataclass(frozen=True)
class _Registered:
    code: str
    label: str
    check: GateCheck
    steps: tuple[str, ...]
    order: int


_REGISTRY: dict[str, _Registered] = {}


def gate_register(
    code: str, label: str, *, steps: tuple[str, ...] = STEPS, order: int = 100
) -> Callable[[GateCheck], GateCheck]:
    """Register a gate check (a decorator). `steps` names the steps it guards; `order` places
    it in the list people read (lower first)."""

    unknown = set(steps) - set(STEPS)
    if unknown:
        raise ValueError(f"Unknown workflow steps for gate {code}: {sorted(unknown)}")

    def decorate(check: GateCheck) -> GateCheck:
        _REGISTRY[code] = _Registered(code, label, check, tuple(steps), order)
        return check

    return decorate


def registered_gates() -> list[tuple[str, str]]:
    """(code, label) of every registered gate, in reading order."""
    return [(g.code, g.label) for g in sorted(_REGISTRY.values(), key=lambda g: (g.order, g.code))]


def next_step(request: PartnershipRequest) -> str | None:
    """The gated step that comes next for a request in its current state, if any."""
    if request.status in {RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW}:
        return "recommend"
    if request.status == RequestStatus.RECOMMENDED:
        return "decide"
    if request.status == RequestStatus.AWAITING_SIGN_OFF:
        return "sign_off"
    return None


def request_gates(request: PartnershipRequest, step: str | None = None) -> list[Gate]:
    """Every gate that applies to the request's next step (or to `step`), in reading order."""
    step = step or next_step(request) or "decide"
    context = GateContext(request=request, step=step)
    gates = []
    for registered in sorted(_REGISTRY.values(), key=lambda g: (g.order, g.code)):
        if step not in registered.steps:
            continue
        gate = registered.check(request, context)
        if gate is not None:
            gates.append(gate)
    return gates


def open_gates(request: PartnershipRequest, step: str | None = None) -> list[Gate]:
    return [gate for gate in request_gates(request, step) if not gate.satisfied]


def gates_summary(gates: list[Gate]) -> str:
    """The open gates in one line: "2 matches to resolve; assessment out of date"."""
    return "; ".join(gate.message for gate in gates if not gate.satisfied)


def gates_refusal(request: PartnershipRequest, step: str, doing: str) -> str | None:
    """A refusal sentence when any gate before `step` is open; None when all are satisfied."""
    missing = open_gates(request, step)
    if not missing:
        return None
    return f"Not yet: {doing} needs every check finished. Still missing: {gates_summary(missing)}."


# --- the inputs an assessment rests on ------------------------------------------------------

INPUT_PARTS = {
    "facts": "the request's details",
    "partners": "the partners",
    "funding": "the funding",
    "screening": "screening decisions",
    "checklist": "checklist answers",
}
_INPUT_READERS: dict[str, Callable[[PartnershipRequest], object]] = {}


def input_register(name: str, label: str):
    """Register a further input an assessment rests on (e.g. a legal determination): its
    reader returns plain JSON-able data; a change in it makes the assessment stale."""

    def decorate(reader):
        INPUT_PARTS[name] = label
        _INPUT_READERS[name] = reader
        return reader

    return decorate


def _digest(value) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@input_register("facts", INPUT_PARTS["facts"])
def _facts_input(request: PartnershipRequest):
    from .workflow.rules import EDITABLE_FIELDS, _plain

    fresh = PartnershipRequest.objects.get(pk=request.pk)
    data = {name: _plain(getattr(fresh, name)) for name in EDITABLE_FIELDS}
    data["sectors"] = sorted(fresh.sectors.values_list("code", flat=True))
    data["disciplines"] = sorted(fresh.disciplines.values_list("pk", flat=True))
    return data


@input_register("partners", INPUT_PARTS["partners"])
def _partners_input(request: PartnershipRequest):
    return sorted(request.partners.values_list("organisation_id", "role"))


@input_register("funding", INPUT_PARTS["funding"])
def _funding_input(request: PartnershipRequest):
    return [
        [str(v) if v is not None else None for v in row]
        for row in request.funding_sources.order_by("id").values_list(
            "funder_name", "country", "funder_type", "amount", "currency", "origin_undisclosed"
        )
    ]


@input_register("screening", INPUT_PARTS["screening"])
def _screening_input(request: PartnershipRequest):
    # Reviewers' decisions and what they were about; lapsed and potential matches count too,
    # so a new potential match also makes an assessment stale. Partners' matches read as they
    # always have (so upgrading leaves assessments current); other subjects follow by key.
    fields = ("watchlist_id", "external_id", "fingerprint", "status", "risk_level")
    matches = ScreeningMatch.objects.filter(request=request)
    rows = sorted(
        matches.filter(subject_kind=SubjectKind.PARTNER).values_list("organisation_id", *fields)
    )
    others = sorted(
        matches.exclude(subject_kind=SubjectKind.PARTNER).values_list("subject_key", *fields)
    )
    return rows + others if others else rows


@input_register("checklist", INPUT_PARTS["checklist"])
def _checklist_input(request: PartnershipRequest):
    return sorted(
        request.checklist_answers.values_list(
            "ref_id", "answer", "evidence_notes", "explanation", "attachment_id"
        )
    )


def request_input_digests(request: PartnershipRequest) -> dict[str, str]:
    """A digest of each input the assessment rests on, by name."""
    return {name: _digest(reader(request)) for name, reader in _INPUT_READERS.items()}


def assessment_changed_inputs(request: PartnershipRequest, assessment) -> list[str]:
    """What changed since the assessment, as people name it; empty when it is current."""
    recorded = assessment.input_digests or {}
    if not recorded:
        return ["it was made before assessments recorded their inputs"]
    current = request_input_digests(request)
    return [INPUT_PARTS.get(name, name) for name in current if recorded.get(name) != current[name]]


def latest_assessment(request: PartnershipRequest):
    return request.assessments.select_related("policy").order_by("-created_at", "-id").first()


# --- the core gates ---------------------------------------------------------------------------


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@gate_register("screening_current", "Every partner screened against the active lists", order=10)
def _gate_screening_current(request, context):
    from .screening.service import active_version_ids

    active = sorted(active_version_ids())
    stale = [
        partner.organisation.name
        for partner in request.partners.select_related("organisation")
        if partner.screened_at is None or sorted(partner.screened_version_ids or []) != active
    ]
    if not stale:
        return Gate("screening_current", "Every partner screened against the active lists", True)
    return Gate(
        "screening_current",
        "Every partner screened against the active lists",
        False,
        f"{_plural(len(stale), 'partner', 'partners')} not screened against the active "
        f"watchlists ({', '.join(stale)}): screen again",
        len(stale),
    )


@gate_register("screening_resolved", "Every screening match confirmed or dismissed", order=20)
def _gate_screening_resolved(request, context):
    # Every subject's matches: partners, their parents and sub-partners, funders, people.
    count = ScreeningMatch.objects.filter(request=request, status=MatchStatus.POTENTIAL).count()
    label = "Every screening match confirmed or dismissed"
    if not count:
        return Gate("screening_resolved", label, True)
    return Gate(
        "screening_resolved",
        label,
        False,
        f"{_plural(count, 'match', 'matches')} to resolve",
        count,
    )


def applicable_checklist_items(request: PartnershipRequest) -> list[dict]:
    """The checklist items a review must answer before it moves on.

    Under a two-axis policy (schema 2): the controls whose risks the request presents (the
    policy names each control's factors); the good practices stay on the checklist, shown and
    recorded, but are not required. Under a points policy (schema 1): every item.
    """
    from .checklists import checklist_version_for_request

    version = checklist_version_for_request(request)
    items = list(version.items) if version else []
    policy = _active_policy_data()
    if policy is None or policy_schema(policy) != 2:
        return items
    from .assessing import request_facts
    from .scoring_matrix import controls_applying
    from .screening.service import confirmed_matches

    facts, _ = request_facts(request=request, confirmed_matches=confirmed_matches(request))
    applying = set(controls_applying(policy, facts))
    return [item for item in items if item["ref_id"] in applying]


def _active_policy_data() -> dict | None:
    from .models import ScoringPolicy

    policy = ScoringPolicy.objects.filter(is_active=True).only("data").first()
    return policy.data if policy else None


@gate_register("checklist_complete", "Every applicable checklist item answered", order=30)
def _gate_checklist(request, context):
    label = "Every applicable checklist item answered"
    from .checklists import checklist_version_for_request

    if checklist_version_for_request(request) is None:
        return Gate(
            "checklist_complete",
            label,
            False,
            "no checklist is loaded to answer (run manage.py load_checklist)",
        )
    items = applicable_checklist_items(request)
    answered = set(request.checklist_answers.values_list("ref_id", flat=True))
    missing = [item["ref_id"] for item in items if item["ref_id"] not in answered]
    if not missing:
        return Gate("checklist_complete", label, True)
    return Gate(
        "checklist_complete",
        label,
        False,
        f"{_plural(len(missing), 'checklist item', 'checklist items')} unanswered "
        f"({', '.join(missing)})",
        len(missing),
    )


@gate_register("assessment_current", "A current risk assessment", order=40)
def _gate_assessment(request, context):
    label = "A current risk assessment"
    assessment = latest_assessment(request)
    if assessment is None:
        return Gate("assessment_current", label, False, "the risk has not been assessed")
    changed = assessment_changed_inputs(request, assessment)
    if changed:
        return Gate(
            "assessment_current",
            label,
            False,
            f"assessment out of date ({', '.join(changed)} changed since): assess again",
        )
    if not request.tier:
        return Gate("assessment_current", label, False, "the request has no risk tier")
    return Gate("assessment_current", label, True)


@gate_register("sign_offs", "Every sign-off the route requires", steps=("sign_off",), order=90)
def _gate_sign_offs(request, context):
    from .models import SignOff
    from .workflow.rules import pending_decision

    decision = pending_decision(request)
    label = "Every sign-off the route requires"
    if decision is None:
        return None
    waiting = [s.label for s in decision.sign_offs.filter(status=SignOff.Status.PENDING)]
    if not waiting:
        return Gate("sign_offs", label, True)
    return Gate(
        "sign_offs",
        label,
        False,
        f"sign-off by {', then '.join(w.lower() for w in waiting)} outstanding",
        len(waiting),
    )
