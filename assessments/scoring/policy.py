"""The shape of a scoring policy: the words it uses and the checks it must pass.

Pure, like the engines: the admin form, the loader and the scorer all rely on these checks.
"""

from ..routes import route_errors
from ..vocabularies import Answer, OrganisationType, RiskLevel, Tier
from .factors import Factor

TIERS = tuple(Tier.values)
TIER_LABELS = dict(Tier.choices)
RISK_LEVELS = tuple(RiskLevel.values)
ANSWERS = tuple(Answer.values)
# Half-credit units so partly met counts half without floating point.
ANSWER_CREDIT = {"met": 2, "partly_met": 1, "not_met": 0, "unsure": 0, "": 0}
ORGANISATION_TYPES = tuple(OrganisationType.values)

# Schema 2: two axes and a matrix.
SENSITIVITY_LEVELS = ("none", "low", "medium", "high")
PARTNER_LEVELS = ("low", "medium", "high", "very_high")
LEVEL_LABELS = {
    "none": "none",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "very_high": "very high",
}
AXES = {"sensitivity": SENSITIVITY_LEVELS, "partner": PARTNER_LEVELS}
AXIS_LABELS = {"sensitivity": "sensitivity", "partner": "partner risk"}
OUTCOMES = {
    "no_mitigation_needed": "No mitigation needed",
    "mitigation_recommended": "Mitigation recommended",
    "mitigation_required": "Mitigation required",
    "not_permissible_without_exception": "Not permissible without an exception",
}
TIMES = "\u00d7"  # the multiplication sign that joins the two axes of a cell
TECHNOLOGY_READINESS = ("basic", *(str(n) for n in range(1, 10)))
RESEARCH_KINDS = ("basic", "applied")
# The factors of each axis, and the shape of the policy entry for each.
SENSITIVITY_FACTORS = {
    Factor.NSI_SECTOR: "by_sector",
    Factor.EXPORT_CONTROL: "level",
    Factor.DUAL_USE: "level",
    Factor.RESEARCH_KIND: "research_kind",
    Factor.TECHNOLOGY_READINESS: "technology_readiness",
    Factor.PERSONAL_DATA: "level",
    Factor.DATA_LEAVES_UK: "level",
    Factor.DATA_LEAVES_PARTNER_COUNTRY: "level",
    Factor.LAB_ACCESS: "level",
    Factor.PEOPLE_EXCHANGED: "bands",
    Factor.STAFF_TRAVEL: "level",
    Factor.ACADEMIC_FREEDOM: "level",
}
PARTNER_FACTORS = {
    Factor.WATCHLIST_MATCH: "risk_levels",
    Factor.AFFILIATION_MATCH: "risk_levels",
    Factor.PARTNER_TYPE: "partner_type",
    Factor.JURISDICTION: "jurisdiction",
    Factor.FUNDING_PARTNER_GOVERNMENT: "level",
    Factor.FUNDING_STATE_OWNED: "level",
    Factor.FUNDING_MILITARY: "level",
    Factor.FUNDING_UNDISCLOSED: "level",
    Factor.FUNDING_DEPENDENCY: "bands",
}
AXIS_FACTORS = {"sensitivity": SENSITIVITY_FACTORS, "partner": PARTNER_FACTORS}
# Factors a policy may leave out (added after policies were written): scoring says what it
# uses instead (a parent's match: the watchlist_match levels).
OPTIONAL_FACTORS = frozenset({str(Factor.AFFILIATION_MATCH)})

FLAT_WEIGHTS = (
    Factor.EXPORT_CONTROL,
    Factor.DUAL_USE,
    Factor.PERSONAL_DATA,
    Factor.DATA_LEAVES_UK,
    Factor.DATA_LEAVES_PARTNER_COUNTRY,
    Factor.FUNDING_PARTNER_GOVERNMENT,
    Factor.FUNDING_MILITARY,
    Factor.FUNDING_UNDISCLOSED,
    Factor.LAB_ACCESS,
    Factor.STAFF_TRAVEL,
    Factor.ACADEMIC_FREEDOM,
    Factor.BLOCKING_LIST,
)


class PolicyError(ValueError):
    """A scoring policy that cannot be used; `messages` says every reason in plain words."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _is_points(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000


def _check_mapping(policy: dict, key: str, errors: list[str]) -> dict:
    value = policy.get(key)
    if not isinstance(value, dict):
        errors.append(f"'{key}' is missing or is not a mapping.")
        return {}
    return value


def _check_points(where: str, mapping: dict, keys, errors: list[str]) -> None:
    for key in keys:
        if key not in mapping:
            errors.append(f"{where}: '{key}' is missing.")
        elif not _is_points(mapping[key]):
            errors.append(f"{where}: '{key}' must be a whole number from 0 to 1000.")


def _check_weights(weights: dict, errors: list[str]) -> None:
    known = {*(str(code) for code in FLAT_WEIGHTS), "watchlist_match", "nsi_sector"}
    known |= {"people_exchanged", "partner_type"}
    for key in sorted(set(weights) - known):
        errors.append(f"weights: '{key}' is not a factor the policy knows.")
    _check_points("weights", weights, [str(code) for code in FLAT_WEIGHTS], errors)
    watchlist = weights.get("watchlist_match")
    if isinstance(watchlist, dict):
        _check_points("weights.watchlist_match", watchlist, RISK_LEVELS, errors)
    else:
        errors.append("weights.watchlist_match must map each risk level to points.")
    sectors = weights.get("nsi_sector")
    if isinstance(sectors, dict) and isinstance(sectors.get("by_sector", {}), dict):
        _check_points("weights.nsi_sector", sectors, ["default"], errors)
        by_sector = sectors.get("by_sector", {})
        _check_points("weights.nsi_sector.by_sector", by_sector, list(by_sector), errors)
    else:
        errors.append("weights.nsi_sector must have a 'default' and a 'by_sector' mapping.")
    people = weights.get("people_exchanged")
    if isinstance(people, dict):
        _check_points("weights.people_exchanged", people, ["per_person", "max"], errors)
    else:
        errors.append("weights.people_exchanged must have 'per_person' and 'max'.")
    partner = weights.get("partner_type")
    if isinstance(partner, dict):
        for key in sorted(set(partner) - set(ORGANISATION_TYPES)):
            errors.append(f"weights.partner_type: '{key}' is not an organisation type.")
        _check_points("weights.partner_type", partner, list(partner), errors)
    else:
        errors.append("weights.partner_type must map organisation types to points.")


def _check_thresholds(thresholds: dict, errors: list[str]) -> None:
    names = TIERS[1:]
    for key in sorted(set(thresholds) - set(names)):
        errors.append(
            f"thresholds: '{key}' is not a tier with a threshold (medium, high, very_high)."
        )
    _check_points("thresholds", thresholds, names, errors)
    values = [thresholds.get(name) for name in names]
    if not all(_is_points(value) for value in values):
        return
    if values[0] < 1:
        errors.append("thresholds: medium must be at least 1, or nothing could be low.")
    for index in range(1, len(names)):
        lower, upper = names[index - 1], names[index]
        if values[index] <= values[index - 1]:
            errors.append(
                f"thresholds must increase: {upper} ({values[index]}) must be above "
                f"{lower} ({values[index - 1]}), or the tiers would overlap."
            )


def _check_floors(floors: dict, errors: list[str]) -> None:
    by_level = floors.get("watchlist_risk_level", {})
    if not isinstance(by_level, dict):
        errors.append("floors.watchlist_risk_level must map risk levels to tiers.")
        by_level = {}
    for level, tier in by_level.items():
        if level not in RISK_LEVELS:
            errors.append(f"floors.watchlist_risk_level: '{level}' is not a risk level.")
        if tier not in TIERS:
            errors.append(f"floors.watchlist_risk_level.{level}: '{tier}' is not a tier.")
    blocking = floors.get("blocking_list", "")
    if blocking not in ("", *TIERS):
        errors.append(f"floors.blocking_list: '{blocking}' is not a tier.")
    for key in sorted(set(floors) - {"watchlist_risk_level", "blocking_list"}):
        errors.append(f"floors: '{key}' is not a floor the policy knows.")


def _check_routes(routes: dict, errors: list[str]) -> None:
    for tier in TIERS:
        route = routes.get(tier)
        if not isinstance(route, dict) or not route.get("code") or not route.get("label"):
            errors.append(f"routes.{tier} needs a 'code' and a 'label'.")
            continue
        errors.extend(route_errors(tier, route))
        unknown = set(route) - {"code", "label", "decided_by", "sign_offs"}
        if unknown:
            errors.append(f"routes.{tier}: unknown keys {', '.join(sorted(unknown))}.")
    for key in sorted(set(routes) - set(TIERS)):
        errors.append(f"routes: '{key}' is not a tier.")


def _check_level(where: str, value, levels, errors: list[str]) -> None:
    if value not in levels:
        errors.append(f"{where}: '{value}' is not a level ({', '.join(levels)}).")


def _check_level_map(where: str, mapping, keys, levels, errors, *, complete: bool) -> None:
    if not isinstance(mapping, dict):
        errors.append(f"{where} must map each of {', '.join(keys)} to a level.")
        return
    for key in sorted(set(map(str, mapping)) - set(keys)):
        errors.append(f"{where}: '{key}' is not one of {', '.join(keys)}.")
    for key in keys:
        if key in mapping:
            _check_level(f"{where}.{key}", mapping[key], levels, errors)
        elif complete:
            errors.append(f"{where}: '{key}' is missing.")


def _check_bands(where: str, bands, levels, errors: list[str], *, most: int) -> None:
    if not isinstance(bands, list) or not bands:
        errors.append(f"{where} must be a list of {{at_least, level}} bands.")
        return
    previous = None
    for position, band in enumerate(bands, 1):
        if not isinstance(band, dict) or set(band) != {"at_least", "level"}:
            errors.append(f"{where}, band {position}: give exactly 'at_least' and 'level'.")
            continue
        bound = band["at_least"]
        if not (_is_points(bound) and 1 <= bound <= most):
            errors.append(f"{where}, band {position}: at_least must be from 1 to {most}.")
        elif previous is not None and bound <= previous:
            errors.append(f"{where}: bands must rise (at_least {bound} after {previous}).")
        else:
            previous = bound
        _check_level(f"{where}, band {position}", band["level"], levels, errors)


def _check_axis(axis: str, entries: dict, errors: list[str]) -> None:
    levels = AXES[axis]
    factors = {str(code): shape for code, shape in AXIS_FACTORS[axis].items()}
    for key in sorted(set(entries) - set(factors)):
        errors.append(f"{axis}: '{key}' is not a {AXIS_LABELS[axis]} factor.")
    for code, shape in factors.items():
        where = f"{axis}.{code}"
        if code not in entries:
            if code not in OPTIONAL_FACTORS:
                errors.append(f"{where} is missing.")
            continue
        value = entries[code]
        if shape == "level":
            _check_level(where, value, levels, errors)
        elif shape == "bands":
            _check_bands(where, value, levels, errors, most=100 if axis == "partner" else 1000)
        elif shape == "by_sector":
            if not isinstance(value, dict) or not isinstance(value.get("by_sector", {}), dict):
                errors.append(f"{where} must have a 'default' level and a 'by_sector' mapping.")
                continue
            _check_level(f"{where}.default", value.get("default"), levels, errors)
            for sector, level in value.get("by_sector", {}).items():
                _check_level(f"{where}.by_sector.{sector}", level, levels, errors)
        elif shape == "research_kind":
            _check_level_map(where, value, RESEARCH_KINDS, levels, errors, complete=True)
        elif shape == "technology_readiness":
            value = {str(k): v for k, v in value.items()} if isinstance(value, dict) else value
            _check_level_map(where, value, TECHNOLOGY_READINESS, levels, errors, complete=True)
        elif shape == "risk_levels":
            _check_level_map(where, value, RISK_LEVELS, levels, errors, complete=True)
        elif shape == "partner_type":
            _check_level_map(where, value, ORGANISATION_TYPES, levels, errors, complete=False)
        elif shape == "jurisdiction":
            _check_level_map(where, value, PARTNER_LEVELS, levels, errors, complete=True)


def _check_matrix(matrix: dict, errors: list[str]) -> None:
    for key in sorted(set(matrix) - set(SENSITIVITY_LEVELS)):
        errors.append(f"matrix: '{key}' is not a sensitivity level.")
    for sensitivity in SENSITIVITY_LEVELS:
        row = matrix.get(sensitivity)
        if not isinstance(row, dict):
            errors.append(f"matrix.{sensitivity} must map each partner level to a tier.")
            continue
        _check_level_map(f"matrix.{sensitivity}", row, PARTNER_LEVELS, TIERS, errors, complete=True)
    if errors:
        return
    # A riskier cell never gives a lower tier: more risk on either axis cannot lower the tier.
    for i, sensitivity in enumerate(SENSITIVITY_LEVELS):
        for j, partner in enumerate(PARTNER_LEVELS):
            tier = TIERS.index(matrix[sensitivity][partner])
            for below, left in ((i - 1, j), (i, j - 1)):
                if below < 0 or left < 0:
                    continue
                lower = matrix[SENSITIVITY_LEVELS[below]][PARTNER_LEVELS[left]]
                if TIERS.index(lower) > tier:
                    errors.append(
                        f"matrix: {sensitivity} {TIMES} {partner} gives {matrix[sensitivity][partner]},"
                        f" lower than the less risky {SENSITIVITY_LEVELS[below]} {TIMES} "
                        f"{PARTNER_LEVELS[left]} ({lower}); the matrix must not fall as risk "
                        "rises."
                    )


def _check_outcomes(outcomes: dict, errors: list[str]) -> None:
    allowed = [code for code in OUTCOMES if code != "not_permissible_without_exception"]
    for key in sorted(set(outcomes) - set(TIERS)):
        errors.append(f"outcomes: '{key}' is not a tier.")
    for tier in TIERS:
        if outcomes.get(tier) not in allowed:
            errors.append(f"outcomes.{tier} must be one of {', '.join(allowed)}.")


def _check_controls(controls: dict, errors: list[str]) -> None:
    for ref_id, control in controls.items():
        where = f"controls.{ref_id}"
        if not isinstance(control, dict) or set(control) != {"axis", "factors"}:
            errors.append(f"{where} needs exactly an 'axis' and a list of 'factors'.")
            continue
        axis = control["axis"]
        if axis not in AXES:
            errors.append(f"{where}.axis: '{axis}' is not an axis (sensitivity, partner).")
            continue
        factors = control["factors"]
        if not isinstance(factors, list) or not factors:
            errors.append(f"{where}.factors must list the factors the control applies to.")
            continue
        known = {str(code) for code in AXIS_FACTORS[axis]}
        for code in factors:
            if code not in known:
                errors.append(f"{where}: '{code}' is not a {AXIS_LABELS[axis]} factor.")


def _policy_v2_validate(policy: dict) -> None:
    errors: list[str] = []
    for axis in AXES:
        _check_axis(axis, _check_mapping(policy, axis, errors), errors)
    _check_matrix(_check_mapping(policy, "matrix", errors), errors)
    _check_outcomes(_check_mapping(policy, "outcomes", errors), errors)
    _check_controls(_check_mapping(policy, "controls", errors), errors)
    _check_floors(_check_mapping(policy, "floors", errors), errors)
    _check_routes(_check_mapping(policy, "routes", errors), errors)
    allowed = {"schema", "name", *AXES, "matrix", "outcomes", "controls", "floors", "routes"}
    for key in sorted(set(policy) - allowed):
        errors.append(f"'{key}' is not part of a schema 2 scoring policy.")
    if errors:
        raise PolicyError(errors)


def policy_schema(policy: dict) -> int:
    """1 for the additive policies published first, 2 for the two-axis matrix."""
    return policy.get("schema", 1) if isinstance(policy, dict) else 1


def policy_validate(policy) -> None:
    """Raise PolicyError listing every problem; return quietly when the policy is usable."""
    if not isinstance(policy, dict):
        raise PolicyError(
            ["The policy must be a mapping of weights, thresholds, floors and routes."]
        )
    schema = policy.get("schema", 1)
    if schema == 2:
        _policy_v2_validate(policy)
        return
    if schema != 1:
        raise PolicyError([f"schema: '{schema}' is not a policy schema (1 or 2)."])
    errors: list[str] = []
    _check_weights(_check_mapping(policy, "weights", errors), errors)
    mitigation = _check_mapping(policy, "mitigation", errors)
    share = mitigation.get("max_percent")
    if not (_is_points(share) and share <= 100):
        errors.append("mitigation.max_percent must be a whole number from 0 to 100.")
    _check_thresholds(_check_mapping(policy, "thresholds", errors), errors)
    _check_floors(_check_mapping(policy, "floors", errors), errors)
    _check_routes(_check_mapping(policy, "routes", errors), errors)
    allowed = {"schema", "name", "weights", "mitigation", "thresholds", "floors", "routes"}
    for key in sorted(set(policy) - allowed):
        errors.append(f"'{key}' is not part of a scoring policy.")
    if errors:
        raise PolicyError(errors)
