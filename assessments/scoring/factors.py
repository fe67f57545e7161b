"""The risk factors the scoring policy knows, by stable code.

Scoring, guidance links and reports all name factors by these codes, so a guidance item
shared with another institution still points at the right factor there.
"""

from django.db import models


class Factor(models.TextChoices):
    WATCHLIST_MATCH = "watchlist_match", "Confirmed watchlist match"
    BLOCKING_LIST = "blocking_list", "Confirmed match on a blocking list"
    NSI_SECTOR = "nsi_sector", "NSI Act sensitive sector"
    EXPORT_CONTROL = "export_control", "Export-controlled items or technology"
    DUAL_USE = "dual_use", "Dual-use potential"
    PERSONAL_DATA = "personal_data", "Personal data"
    DATA_LEAVES_UK = "data_leaves_uk", "Data leaving the UK"
    DATA_LEAVES_PARTNER_COUNTRY = (
        "data_leaves_partner_country",
        "Data leaving the partner's country",
    )
    FUNDING_PARTNER_GOVERNMENT = "funding_partner_government", "Partner government funding"
    FUNDING_MILITARY = "funding_military", "Military or security funding"
    FUNDING_UNDISCLOSED = "funding_undisclosed", "Undisclosed funding origin"
    PEOPLE_EXCHANGED = "people_exchanged", "People exchanged"
    LAB_ACCESS = "lab_access", "Access to laboratories"
    STAFF_TRAVEL = "staff_travel", "Staff travel to the partner country"
    ACADEMIC_FREEDOM = "academic_freedom", "Academic-freedom exposure"
    PARTNER_TYPE = "partner_type", "Military, security or government partner"
    CHECKLIST_MITIGATION = "checklist_mitigation", "Good-practice checklist (mitigation)"
    # Added with the two-axis policy (schema 2).
    RESEARCH_KIND = "research_kind", "Basic or applied research"
    TECHNOLOGY_READINESS = "technology_readiness", "Technology readiness level"
    JURISDICTION = "jurisdiction", "Partner's or funder's jurisdiction"
    FUNDING_STATE_OWNED = "funding_state_owned", "State-owned funder"
    FUNDING_DEPENDENCY = "funding_dependency", "Share of funding from one foreign source"
    # A confirmed match on a partner's parent (the institution a campus or laboratory
    # belongs to): an affiliation, not the partner itself.
    AFFILIATION_MATCH = "affiliation_match", "Confirmed watchlist match on a parent organisation"
