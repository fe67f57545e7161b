"""The checks a review finishes, over the API: screening matches, the checklist, the gate list
and the sign-offs, through the web's own service functions.

A role that may never take the action gets 403 before anything is read (the mixin's actions
are listed in CHECK_ACTIONS, which `requests.MayReview` checks against the workflow's own
`ACTION_ROLES`). The services refuse the rest with a `Refusal`, answered once by
`ukcn.api_errors`: segregation of duties, the request's state, not this sign-off's role are
409 "workflow_refused"; a stale checklist `version` is 409 "version_conflict" with the
`current_version`; answers that do not fit the checklist are 400.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from .. import workflow
from ..audit import client_ip
from ..checklists import (
    AnswerInput,
    checklist_answers_save,
    checklist_revision,
    checklist_version_for_request,
)
from ..gates import gates_summary, next_step, request_gates
from ..models import (
    PartnershipRequest,
    ScreeningMatch,
    SignOff,
)
from ..models.screening import PEOPLE_SUBJECTS
from ..people.access import may_see_people
from ..permissions import get_request_for_user
from ..screening.service import match_confirm, match_dismiss, request_screen
from ..workflow.rules import checklist_answer_refusal
from . import check_serializers as checks
from . import review_serializers as review
from .fields import MAX_POSITIVE_INT
from .request_serializers import RequestDetailSerializer

# The mixin's actions and the workflow action (in `workflow.rules.ACTION_ROLES`) each one is.
CHECK_ACTIONS = {
    "screen": "screen",
    "match_confirm": "match_decide",
    "match_dismiss": "match_decide",
    "checklist": "answer_checklist",
    "sign_off": "sign_off",
    "refuse_sign_off": "sign_off",
}


def _checklist(user, pr: PartnershipRequest) -> dict:
    version = checklist_version_for_request(pr)
    answers = {a.ref_id: a for a in pr.checklist_answers.select_related("answered_by")}
    items = list(version.items) if version else []
    rows = []
    for item in items:
        answer = answers.get(item["ref_id"])
        rows.append(
            {
                "ref_id": item["ref_id"],
                "group": item["group"],
                "question": item["question"],
                "help_text": item.get("help_text", ""),
                "weight": item["weight"],
                "evidence_required": item["evidence_required"],
                "answer": answer.answer if answer else "",
                "evidence_notes": answer.evidence_notes if answer else "",
                "explanation": answer.explanation if answer else "",
                "attachment": answer.attachment_id if answer else None,
                "answered_by": answer.answered_by.get_username() if answer else None,
                "answered_at": answer.answered_at if answer else None,
            }
        )
    return {
        "checklist_version": version.number if version else None,
        "version": checklist_revision(pr),
        "answered": sum(1 for item in items if item["ref_id"] in answers),
        "item_count": len(items),
        "may_answer": checklist_answer_refusal(user, pr) is None,
        "items": rows,
    }


def _answer_input(given: dict, saved) -> AnswerInput:
    """The answer to save: what was given, and the saved value of each field left out."""

    def kept(name, default):
        if name in given:
            return given[name]
        return getattr(saved, name) if saved is not None else default

    return AnswerInput(
        ref_id=given["ref_id"],
        answer=given["answer"],
        evidence_notes=kept("evidence_notes", ""),
        explanation=kept("explanation", ""),
        attachment=kept("attachment", None),
    )


MATCH_ID = OpenApiParameter(
    "match_id",
    {"type": "integer", "minimum": 1, "maximum": MAX_POSITIVE_INT},
    OpenApiParameter.PATH,
    description="The match's id (from matches/).",
)


class ReviewChecksMixin:
    """The request's checks, as actions of the request resource (mixed into RequestViewSet)."""

    def _match(self, request, reference: str, match_id: str) -> ScreeningMatch:
        pr = get_request_for_user(request.user, reference)
        return get_object_or_404(
            ScreeningMatch.objects.select_related(
                "partner__organisation", "organisation", "watchlist", "reviewer"
            ),
            pk=match_id,
            request=pr,
        )

    def _decide_match(self, request, reference: str, match_id: str, decide) -> Response:
        match = self._match(request, reference, match_id)
        serializer = review.MatchDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decide(
            match=match,
            actor=request.user,
            reason=serializer.validated_data["reason"],
            ip=client_ip(request),
        )
        return Response(
            checks.ScreeningMatchSerializer(self._match(request, reference, match_id)).data
        )

    @extend_schema(
        summary="A request's screening matches, best first per partner",
        responses=checks.ScreeningMatchSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def matches(self, request, reference):
        pr = get_request_for_user(request.user, reference)
        matches = ScreeningMatch.objects.filter(request=pr)
        if not may_see_people(request.user, pr):
            # People's matches are personal data (see assessments.people.access).
            matches = matches.exclude(subject_kind__in=PEOPLE_SUBJECTS)
        matches = matches.select_related(
            "partner__organisation", "organisation", "watchlist", "reviewer"
        )
        return Response(checks.ScreeningMatchSerializer(matches, many=True).data)

    @extend_schema(
        summary="Screen every partner against the active watchlists now (reviewers)",
        description="As the web's 'Screen now': after a partner changed, or to check against "
        "the lists as they are today. Answers the request's matches as they now are.",
        request=None,
        responses=checks.ScreeningMatchSerializer(many=True),
    )
    @action(detail=True, methods=["post"])
    def screen(self, request, reference):
        pr = get_request_for_user(request.user, reference)
        request_screen(
            request=pr, actor=request.user, reason="on demand (API)", ip=client_ip(request)
        )
        return self.matches(request, reference)

    @extend_schema(
        summary="Confirm a screening match: the partner is the listed body (reviewers)",
        description="A confirmed new match on a decided request reopens it.",
        parameters=[MATCH_ID],
        request=review.MatchDecisionSerializer,
        responses=checks.ScreeningMatchSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"matches/(?P<match_id>[0-9]+)/confirm")
    def match_confirm(self, request, reference, match_id):
        return self._decide_match(request, reference, match_id, match_confirm)

    @extend_schema(
        summary="Dismiss a screening match: not the listed body, with the reason (reviewers)",
        description="The dismissal is remembered until the entry's data changes.",
        parameters=[MATCH_ID],
        request=review.MatchDecisionSerializer,
        responses=checks.ScreeningMatchSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"matches/(?P<match_id>[0-9]+)/dismiss")
    def match_dismiss(self, request, reference, match_id):
        return self._decide_match(request, reference, match_id, match_dismiss)

    @extend_schema(
        methods=["GET"],
        summary="A request's checklist: each item with its answer, and the answers' version",
        responses=checks.ChecklistSerializer,
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Answer checklist items (reviewers); items left out stay as they are",
        description="Send the `version` you read; a stale one is refused with 409 "
        "(`version_conflict`, with `current_version`).",
        request=review.ChecklistUpdateSerializer,
        responses=checks.ChecklistSerializer,
        examples=[
            OpenApiExample(
                "Two answers",
                request_only=True,
                value={
                    "version": 0,
                    "answers": [
                        {
                            "ref_id": "GP-01",
                            "answer": "met",
                            "evidence_notes": "Three joint papers since 2019.",
                        },
                        {
                            "ref_id": "GP-03",
                            "answer": "not_applicable",
                            "explanation": "The department has no alumni from the country yet.",
                        },
                    ],
                },
            )
        ],
    )
    @action(detail=True, methods=["get", "patch"])
    def checklist(self, request, reference):
        pr = get_request_for_user(request.user, reference)
        if request.method == "PATCH":
            self._checklist_save(request, pr)
        return Response(_checklist(request.user, pr))

    def _checklist_save(self, request, pr: PartnershipRequest) -> None:
        """Save the answers given, over the answers saved for the items left out."""
        serializer = review.ChecklistUpdateSerializer(
            data=request.data, context={"partnership_request": pr}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = {answer.ref_id: answer for answer in pr.checklist_answers.all()}
        checklist_answers_save(
            request=pr,
            actor=request.user,
            answers=[_answer_input(row, saved.get(row["ref_id"])) for row in data["answers"]],
            version=data["version"],
            ip=client_ip(request),
        )

    @extend_schema(
        summary="What is still missing before the request's next step",
        responses=checks.GatesSerializer,
    )
    @action(detail=True, methods=["get"])
    def gates(self, request, reference):
        pr = get_request_for_user(request.user, reference)
        gates = request_gates(pr)
        return Response(
            {
                "next_step": next_step(pr),
                "gates": [gate.as_dict() for gate in gates],
                "missing": gates_summary(gates),
            }
        )

    @extend_schema(
        summary="Every sign-off of the request's decisions, newest decision first",
        responses=checks.SignOffSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="sign-offs")
    def sign_offs(self, request, reference):
        pr = get_request_for_user(request.user, reference)
        sign_offs = (
            SignOff.objects.filter(request=pr)
            .select_related("signed_by")
            .order_by("-decision__created_at", "-decision_id", "order")
        )
        return Response(checks.SignOffSerializer(sign_offs, many=True).data)

    @extend_schema(
        summary="Give the next sign-off a decision awaits; the last one makes it hold",
        request=None,
        responses=RequestDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, reference):
        return self._act(request, reference, workflow.request_sign_off)

    @extend_schema(
        summary="Refuse the sign-off, with the reason: the request returns to the decider",
        request=review.SignOffRefusalSerializer,
        responses=RequestDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="refuse-sign-off")
    def refuse_sign_off(self, request, reference):
        return self._act(
            request, reference, workflow.request_sign_off_refuse, review.SignOffRefusalSerializer
        )
