"""Legal determinations for the demonstration data: what a reviewer would plausibly record for
each regime whose gate a demo request opens, so that demo decisions rest on them too."""

from datetime import date

from assessments.gates import request_gates
from assessments.legal.services import (
    ExportInput,
    FirsInput,
    NsiInput,
    SanctionsLicenceInput,
    export_determination_record,
    firs_determination_record,
    nsi_determination_record,
    sanctions_licence_record,
    sanctions_licences,
    sanctions_matches,
)
from assessments.models.legal import Regime

DEMO_LICENCE_EXPIRY = date(2029, 3, 31)


def demo_legal_determinations(pr, reviewer) -> None:
    """Record a determination for each open legal gate of the request (demonstration)."""
    open_codes = {gate.code for gate in request_gates(pr, "decide") if not gate.satisfied}
    if Regime.EXPORT_CONTROL in open_codes:
        if pr.export_controlled:
            data = ExportInput(
                outcome="licence_required",
                reasoning="Process know-how shared with the partner is rated 3E (demonstration).",
                ratings=["3E"],
                licence_type="siel",
                licence_reference=f"GBSIEL/DEMO/{pr.reference}",
                licence_expiry=DEMO_LICENCE_EXPIRY,
            )
        else:
            data = ExportInput(
                outcome="not_controlled",
                reasoning="Nothing shared is on the control lists (demonstration).",
            )
        export_determination_record(actor=reviewer, request=pr, data=data)
    if Regime.NSI in open_codes:
        nsi_determination_record(
            actor=reviewer,
            request=pr,
            data=NsiInput(
                outcome="asset_voluntary",
                reasoning="A licence of background IP; no notification needed (demonstration).",
                notify=False,
            ),
        )
    if Regime.FIRS in open_codes:
        firs_determination_record(
            actor=reviewer,
            request=pr,
            data=FirsInput(
                outcome="not_registrable",
                reasoning="Collaborative research; the partner directs no activity in the UK "
                "(demonstration).",
            ),
        )
    if Regime.SANCTIONS in open_codes:
        licensed = sanctions_licences(pr)
        for match in sanctions_matches(pr):
            if match.pk not in licensed:
                sanctions_licence_record(
                    actor=reviewer,
                    request=pr,
                    match=match,
                    data=SanctionsLicenceInput(
                        issuer="ofsi", reference=f"INT/DEMO/{pr.reference}/{match.pk}"
                    ),
                )
