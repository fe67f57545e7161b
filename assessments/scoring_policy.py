"""The shape of a scoring policy: the words it uses and the checks it must pass.

Pure, like scoring.py: the admin form, the loader and the scorer all rely on these checks.
"""

from .factors import Factor
from .routes import route_errors

TIERS = ("low", "medium", "high", "very_high")
TIER_LABELS = {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very high"}
RISK_LEVELS = ("very_high", "high", "medium", "low", "listed")
ANSWERS = ("met", "partly_met", "not_met", "not_applicable", "unsure")
# Half-credit units so partly met counts half without floating point.
ANSWER_CREDIT = {"met": 2, "partly_met": 1, "not_met": 0, "unsure": 0, "": 0}
ORGANISATION_TYPES = (
    "university",
    "research_institute",
    "company",
    "government",
    "military",
    "other",
)

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


def policy_validate(policy) -> None:
    """Raise PolicyError listing every problem; return quietly when the policy is usable."""
    if not isinstance(policy, dict):
        raise PolicyError(
            ["The policy must be a mapping of weights, thresholds, floors and routes."]
        )
    errors: list[str] = []
    _check_weights(_check_mapping(policy, "weights", errors), errors)
    mitigation = _check_mapping(policy, "mitigation", errors)
    share = mitigation.get("max_percent")
    if not (_is_points(share) and share <= 100):
        errors.append("mitigation.max_percent must be a whole number from 0 to 100.")
    _check_thresholds(_check_mapping(policy, "thresholds", errors), errors)
    _check_floors(_check_mapping(policy, "floors", errors), errors)
    _check_routes(_check_mapping(policy, "routes", errors), errors)
    allowed = {"name", "weights", "mitigation", "thresholds", "floors", "routes"}
    for key in sorted(set(policy) - allowed):
        errors.append(f"'{key}' is not part of a scoring policy.")
    if errors:
        raise PolicyError(errors)
