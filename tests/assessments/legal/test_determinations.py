"""Legal determinations: each regime's outcomes block or release a decision; reference data
resolves by date; a decided request keeps the determination it was decided under."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments import workflow
from assessments.gates import open_gates, request_gates
from assessments.legal.gates import firs_countries
from assessments.legal.reference import (
    export_rating_labels,
    firs_specified_on,
    nsi_version_on,
)
from assessments.legal.services import (
    ExportInput,
    FirsInput,
    NsiInput,
    SanctionsLicenceInput,
    current_determinations,
    export_determination_record,
    firs_determination_record,
    firs_due,
    nsi_determination_record,
    sanctions_licence_record,
)
from assessments.models import (
    AuditEvent,
    FirsSpecifiedPower,
    LegalDetermination,
    NsiAreaVersion,
    Organisation,
    RequestStatus,
    ScreeningMatch,
    Watchlist,
)
from assessments.screening.service import confirmed_matches, match_confirm, match_dismiss
from assessments.workflow.attachments import attachment_add
from ukcn.refusals import Refusal

from ..request_factories import advance, ensure_checklist_and_policy, make_request
from ..screening.conftest import make_version

S = RequestStatus


@pytest.fixture(autouse=True)
def reference_data(db):
    ensure_checklist_and_policy()


def recommended(requester, reviewer, **overrides):
    pr = make_request(requester, **overrides)
    advance(pr, to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    pr.refresh_from_db()
    return pr


def decide(pr, actor):
    return workflow.request_decide(actor=actor, request=pr, outcome=S.APPROVED, reasoning="Ok.")


def gate(pr, code):
    return next((g for g in request_gates(pr, "decide") if g.code == code), None)


# --- reference data -----------------------------------------------------------------------


def test_export_headings_come_from_the_shipped_lists():
    labels = export_rating_labels()
    assert labels["ML22"].startswith("ML22 — Technology")
    assert labels["CAT3"] == "Category 3 — Electronics"
    assert labels["3E"] == "3E — Electronics: technology"


def test_nsi_area_versions_resolve_by_date():
    first = nsi_version_on(date(2024, 6, 1))
    assert first.code == "2021" and len(first.areas) == 17
    assert nsi_version_on(date(2021, 12, 1)) is None  # before the Act's regime began
    announced = NsiAreaVersion.objects.get(code="announced-2026")
    assert announced.effective_from is None
    # Announced, not in force: still the 17 areas, until someone dates the new version.
    assert nsi_version_on(date(2027, 6, 1)).code == "2021"
    announced.effective_from = date(2027, 1, 1)
    announced.save()
    assert nsi_version_on(date(2026, 12, 31)).code == "2021"
    later = nsi_version_on(date(2027, 1, 1))
    assert later.code == "announced-2026"
    codes = set(later.area_names())
    assert {"water", "semiconductors", "critical-minerals"} <= codes
    assert "computing-hardware" not in codes and len(codes) == 19


def test_firs_specified_powers_are_dated_and_editable():
    assert set(firs_specified_on(date(2025, 7, 1)).values_list("country", flat=True)) == {
        "IR",
        "RU",
    }
    assert not firs_specified_on(date(2025, 6, 30)).exists()
    FirsSpecifiedPower.objects.create(
        country="KP", name="North Korea", effective_from=date(2027, 3, 1)
    )
    assert "KP" not in set(firs_specified_on(date(2027, 2, 28)).values_list("country", flat=True))
    assert "KP" in set(firs_specified_on(date(2027, 3, 1)).values_list("country", flat=True))


def test_firs_deadlines_follow_the_tier():
    made = date(2026, 3, 2)
    assert firs_due("political", made, None) == date(2026, 3, 29)  # 28 days, day one included
    assert firs_due("enhanced", made, None) == date(2026, 3, 11)  # 10 days
    # Enhanced: before any activity under the arrangement, if that is sooner.
    assert firs_due("enhanced", made, date(2026, 3, 5)) == date(2026, 3, 4)
    assert firs_due("political", made, date(2026, 3, 5)) == date(2026, 3, 29)


# --- export control -----------------------------------------------------------------------


def test_no_export_gate_for_a_request_that_transfers_nothing(requester, reviewer):
    pr = recommended(requester, reviewer)
    assert gate(pr, "export_control") is None
    decide(pr, reviewer)


def test_a_licence_required_blocks_the_decision_until_its_reference_is_recorded(
    requester, reviewer, approver
):
    pr = recommended(requester, reviewer, transfers=["technology"])
    assert gate(pr, "export_control").message == "export control not yet determined"
    with pytest.raises(Refusal, match="export control not yet determined"):
        decide(pr, reviewer)
    export_determination_record(
        actor=reviewer,
        request=pr,
        data=ExportInput(
            outcome="licence_required", reasoning="Know-how on ML22.", ratings=["ML22"]
        ),
    )
    with pytest.raises(Refusal, match="export licence reference not recorded"):
        decide(pr, reviewer)
    export_determination_record(
        actor=reviewer,
        request=pr,
        data=ExportInput(
            outcome="licence_required",
            reasoning="Know-how on ML22.",
            ratings=["ML22"],
            licence_type="siel",
            licence_reference="GBSIEL/2026/0001234",
            licence_expiry=timezone.localdate() + timedelta(days=400),
        ),
    )
    assert gate(pr, "export_control").satisfied
    decide(pr, reviewer)
    pr.refresh_from_db()
    assert pr.status in (S.APPROVED, S.AWAITING_SIGN_OFF)
    events = AuditEvent.objects.filter(action="legal.export_control.recorded")
    assert events.count() == 2
    assert events.order_by("id").last().changes["licence_reference"] == [
        "",
        "GBSIEL/2026/0001234",
    ]


@pytest.mark.parametrize(
    ("outcome", "extra", "released"),
    [
        ("not_controlled", {}, True),
        ("exempt", {"exemption_basis": "basic_research"}, True),
        ("catch_all", {}, False),
        ("catch_all", {"licence_type": "siel", "licence_reference": "GBSIEL/1"}, True),
    ],
)
def test_each_export_outcome_blocks_or_releases(requester, reviewer, outcome, extra, released):
    pr = recommended(requester, reviewer, export_controlled=True)
    export_determination_record(
        actor=reviewer,
        request=pr,
        data=ExportInput(outcome=outcome, reasoning="Because.", **extra),
    )
    assert gate(pr, "export_control").satisfied is released


def test_an_expired_licence_blocks_a_pending_decision(requester, reviewer):
    pr = recommended(requester, reviewer, transfers=["items"])
    export_determination_record(
        actor=reviewer,
        request=pr,
        data=ExportInput(
            outcome="licence_required",
            reasoning="Items on 3A.",
            ratings=["3A"],
            licence_type="siel",
            licence_reference="GBSIEL/9",
            licence_expiry=timezone.localdate() - timedelta(days=1),
        ),
    )
    assert "expired" in gate(pr, "export_control").message


def test_the_determination_is_checked_before_anything_is_written(requester, reviewer):
    pr = recommended(requester, reviewer, transfers=["items"])
    with pytest.raises(Refusal) as refused:
        export_determination_record(
            actor=reviewer,
            request=pr,
            data=ExportInput(outcome="licence_required", reasoning="", ratings=["ML99"]),
        )
    assert refused.value.kind == "invalid"
    assert set(refused.value.fields) == {"reasoning", "ratings"}
    with pytest.raises(Refusal) as refused:
        export_determination_record(
            actor=reviewer, request=pr, data=ExportInput(outcome="exempt", reasoning="Open.")
        )
    assert "exemption_basis" in refused.value.fields
    assert not LegalDetermination.objects.exists()


def test_only_a_reviewer_independent_of_the_request_records(requester, reviewer, approver):
    pr = recommended(requester, reviewer, transfers=["items"])
    data = ExportInput(outcome="not_controlled", reasoning="EAR99-like; nothing listed.")
    with pytest.raises(Refusal) as refused:
        export_determination_record(actor=requester, request=pr, data=data)
    assert refused.value.kind == "forbidden"
    with pytest.raises(Refusal) as refused:
        export_determination_record(actor=approver, request=pr, data=data)
    assert refused.value.kind == "forbidden"
    draft = make_request(requester)
    with pytest.raises(Refusal, match="once a request is submitted"):
        export_determination_record(actor=reviewer, request=draft, data=data)


def test_evidence_is_an_attachment_of_the_request(requester, reviewer):
    pr = recommended(requester, reviewer, transfers=["items"])
    pdf = SimpleUploadedFile("ECJU letter.pdf", b"%PDF-1.4 licence", "application/pdf")
    attachment = attachment_add(actor=reviewer, request=pr, uploaded_file=pdf)
    record = export_determination_record(
        actor=reviewer,
        request=pr,
        data=ExportInput(outcome="not_controlled", reasoning="Nothing listed."),
        evidence=[attachment],
    )
    assert list(record.evidence.all()) == [attachment]
    other = make_request(requester)
    workflow.request_submit(actor=requester, request=other)
    with pytest.raises(Refusal, match="attachment of this request"):
        export_determination_record(
            actor=reviewer,
            request=other,
            data=ExportInput(outcome="not_controlled", reasoning="Nothing listed."),
            evidence=[attachment],
        )


# --- NSI Act ------------------------------------------------------------------------------


def test_spin_out_equity_needs_a_cleared_mandatory_notification(requester, reviewer):
    pr = recommended(requester, reviewer, ip_kind="spin_out_equity")
    assert not gate(pr, "nsi").satisfied

    def record(status, reference=""):
        return nsi_determination_record(
            actor=reviewer,
            request=pr,
            data=NsiInput(
                outcome="mandatory",
                reasoning="The university takes 30% of a quantum spin-out.",
                areas=["quantum-technologies"],
                notification_status=status,
                isu_reference=reference,
            ),
        )

    record("not_notified")
    assert "mandatory NSI notification" in gate(pr, "nsi").message
    record("notified", "ISU-2026-123")
    assert not gate(pr, "nsi").satisfied
    record("called_in", "ISU-2026-123")
    assert "called in" in gate(pr, "nsi").message
    record("cleared", "ISU-2026-123")
    assert gate(pr, "nsi").satisfied
    current = current_determinations(pr)["nsi"]
    assert current.nsi_version.code == "2021"
    assert current.nsi_areas == [{"code": "quantum-technologies", "name": "Quantum Technologies"}]
    assert LegalDetermination.objects.filter(regime="nsi").count() == 4
    assert LegalDetermination.objects.filter(regime="nsi", superseded=False).count() == 1


@pytest.mark.parametrize(
    ("data", "released"),
    [
        ({"outcome": "no_acquisition"}, True),
        ({"outcome": "asset_voluntary", "notify": False}, True),
        (
            {
                "outcome": "asset_voluntary",
                "notify": True,
                "notification_status": "notified",
                "isu_reference": "ISU-1",
            },
            False,
        ),
        (
            {
                "outcome": "asset_voluntary",
                "notify": True,
                "notification_status": "cleared",
                "isu_reference": "ISU-1",
            },
            True,
        ),
    ],
)
def test_each_nsi_outcome_blocks_or_releases(requester, reviewer, data, released):
    pr = recommended(requester, reviewer, ip_kind="background_licensed")
    nsi_determination_record(
        actor=reviewer, request=pr, data=NsiInput(reasoning="Licence of background IP.", **data)
    )
    assert gate(pr, "nsi").satisfied is released


def test_nsi_sector_tags_alone_no_longer_need_a_determination(requester, reviewer):
    from assessments.models import Sector

    sector = Sector.objects.first()
    pr = make_request(requester, no_nsi_sector=False)
    pr.sectors.add(sector)
    advance(pr, to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    pr.refresh_from_db()
    assert gate(pr, "nsi") is None


# --- FIRS ---------------------------------------------------------------------------------


def russian_request(requester):
    institute, _ = Organisation.objects.get_or_create(
        name="Institute of Applied Physics", defaults={"country": "RU"}
    )
    return make_request(requester, partners=[workflow.PartnerInput(institute, "Co-lead")])


def test_a_partner_in_a_specified_country_needs_a_firs_determination(requester, reviewer):
    pr = russian_request(requester)
    advance(pr, to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    pr.refresh_from_db()
    assert firs_countries(pr) == {"RU"}
    assert not gate(pr, "firs").satisfied
    made = timezone.localdate()

    def record(reference=""):
        firs_determination_record(
            actor=reviewer,
            request=pr,
            data=FirsInput(
                outcome="registrable",
                reasoning="The Russian ministry directs the work.",
                tier="enhanced",
                foreign_power="Russia",
                arrangement_date=made,
                registration_reference=reference,
            ),
        )

    record()
    blocked = gate(pr, "firs")
    assert not blocked.satisfied and "due by" in blocked.message
    assert current_determinations(pr)["firs"].registration_due == made + timedelta(days=9)
    with pytest.raises(Refusal, match="FIRS registration reference not recorded"):
        decide(pr, reviewer)
    record("FIRS-000123")
    assert gate(pr, "firs").satisfied


def test_the_enhanced_tier_names_a_specified_power(requester, reviewer):
    pr = russian_request(requester)
    advance(pr, to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    with pytest.raises(Refusal) as refused:
        firs_determination_record(
            actor=reviewer,
            request=pr,
            data=FirsInput(
                outcome="registrable",
                reasoning="Directed.",
                tier="enhanced",
                foreign_power="China",
                arrangement_date=timezone.localdate(),
            ),
        )
    assert "foreign_power" in refused.value.fields
    firs_determination_record(
        actor=reviewer,
        request=pr,
        data=FirsInput(outcome="not_registrable", reasoning="Collaborative, no direction."),
    )
    assert gate(pr, "firs").satisfied


# --- sanctions ----------------------------------------------------------------------------

SANCTIONED = {
    "id": "RUS0001",
    "name": "Institute of Applied Physics",
    "aliases": [],
    "country": "RU",
    "risk_level": "very_high",
    "categories": ["Russia"],
}


@pytest.fixture
def sanctions_list(db):
    watchlist = Watchlist.objects.create(
        name="UK Sanctions List",
        format="aspi",
        blocking=False,
        legal_effect="prohibited_unless_licensed",
    )
    make_version(watchlist, [SANCTIONED], 1)
    return watchlist


def in_review_with_confirmed_match(requester, reviewer):
    pr = russian_request(requester)
    workflow.request_submit(actor=requester, request=pr)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    match = ScreeningMatch.objects.get(partner__request=pr)
    match_confirm(match=match, actor=reviewer, reason="Same institute, same address.")
    return pr, match


def test_a_confirmed_sanctions_match_blocks_until_a_licence_is_recorded(
    requester, reviewer, sanctions_list
):
    pr, match = in_review_with_confirmed_match(requester, reviewer)
    blocked = gate(pr, "sanctions")
    assert not blocked.satisfied and blocked.outstanding == 1
    with pytest.raises(Refusal) as refused:
        sanctions_licence_record(
            actor=reviewer,
            request=pr,
            match=match,
            data=SanctionsLicenceInput(issuer="fcdo", reference="X"),
        )
    assert "issuer" in refused.value.fields
    sanctions_licence_record(
        actor=reviewer,
        request=pr,
        match=match,
        data=SanctionsLicenceInput(issuer="ofsi", reference="INT/2026/1234567"),
    )
    assert gate(pr, "sanctions").satisfied
    sanctions_licence_record(
        actor=reviewer,
        request=pr,
        match=match,
        data=SanctionsLicenceInput(
            issuer="ecju",
            reference="TSL/2025/1",
            expiry=timezone.localdate() - timedelta(days=1),
        ),
    )
    assert not gate(pr, "sanctions").satisfied  # an expired licence permits nothing


def test_a_dismissed_sanctions_match_releases_the_gate(requester, reviewer, sanctions_list):
    pr, match = in_review_with_confirmed_match(requester, reviewer)
    match_dismiss(match=match, actor=reviewer, reason="A different institute of the same name.")
    assert gate(pr, "sanctions") is None


def test_reputational_lists_produce_no_sanctions_gate(requester, reviewer, sanctions_list):
    sanctions_list.legal_effect = "none"
    sanctions_list.save()
    pr, _match = in_review_with_confirmed_match(requester, reviewer)
    assert gate(pr, "sanctions") is None


# --- a decided request keeps its determination ------------------------------------------


def test_a_decided_request_keeps_the_determination_it_was_decided_under(requester, reviewer):
    pr = recommended(requester, reviewer, ip_kind="foreground_assigned")
    nsi_determination_record(
        actor=reviewer,
        request=pr,
        data=NsiInput(
            outcome="asset_voluntary",
            reasoning="Foreground assigned; ISU not notified.",
            areas=["artificial-intelligence"],
            notify=False,
        ),
    )
    decide(pr, reviewer)
    pr.refresh_from_db()
    decided_at = pr.decisions.order_by("-id").first().created_at
    # The rules change: the announced areas take effect; a later record is made.
    NsiAreaVersion.objects.filter(code="announced-2026").update(
        effective_from=timezone.localdate() - timedelta(days=1)
    )
    nsi_determination_record(
        actor=reviewer,
        request=pr,
        data=NsiInput(outcome="no_acquisition", reasoning="Re-read under the new areas."),
    )
    as_decided = current_determinations(pr, at=decided_at)["nsi"]
    assert as_decided.outcome == "asset_voluntary"
    assert as_decided.nsi_version.code == "2021"
    assert as_decided.nsi_areas[0]["name"] == "Artificial Intelligence"
    assert current_determinations(pr)["nsi"].nsi_version.code == "announced-2026"


def test_gates_are_listed_for_the_decision_only(requester, reviewer):
    pr = make_request(requester, transfers=["software"])
    advance(pr, to=S.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    assert "export_control" not in {g.code for g in open_gates(pr, "recommend")}
    assert "export_control" in {g.code for g in open_gates(pr, "decide")}


def test_a_sanctions_match_is_a_gate_not_points_a_reputational_list_match_is_scored(
    requester, reviewer, sanctions_list
):
    pr, _match = in_review_with_confirmed_match(requester, reviewer)
    assert not gate(pr, "sanctions").satisfied
    # The risk matrix never sees it: the law decides, through the gate.
    assert confirmed_matches(pr) == []
    sanctions_list.legal_effect = "none"
    sanctions_list.save(update_fields=["legal_effect"])
    assert [m.entry_name for m in confirmed_matches(pr)] == ["Institute of Applied Physics"]
