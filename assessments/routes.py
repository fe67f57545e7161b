"""Review routes as data: who decides a tier and which sign-offs follow, from the policy.

Each tier's route in the scoring policy names the role that decides (`decided_by`) and the
sign-offs that must follow, in order (`sign_offs`, each a role, a label and optionally a
`fallback_role` that signs in its place when nobody holds the role for the request's
department). Policies published before routes carried these keys get the defaults below,
which are the default policy's routes.
"""

from dataclasses import dataclass

from ukcn.roles import Role

DECIDING_ROLES = (Role.REVIEWER, Role.APPROVER)
SIGNING_ROLES = (Role.HEAD_OF_DEPARTMENT, Role.APPROVER, Role.SENIOR_OFFICER, Role.REVIEWER)

DEFAULT_ROUTES = {
    "low": {
        "decided_by": Role.REVIEWER,
        "sign_offs": [
            {
                "role": Role.HEAD_OF_DEPARTMENT,
                "label": "The head of department",
                "fallback_role": Role.APPROVER,
            }
        ],
    },
    "medium": {"decided_by": Role.REVIEWER, "sign_offs": []},
    "high": {"decided_by": Role.APPROVER, "sign_offs": []},
    "very_high": {
        "decided_by": Role.APPROVER,
        "sign_offs": [{"role": Role.SENIOR_OFFICER, "label": "A senior officer"}],
    },
}


@dataclass(frozen=True)
class SignOffStep:
    role: str
    label: str
    fallback_role: str = ""


@dataclass(frozen=True)
class Route:
    tier: str
    code: str
    label: str
    decided_by: str
    sign_offs: tuple[SignOffStep, ...]


def route_for(policy_data: dict, tier: str) -> Route:
    """The route a tier takes under a policy (its data), defaults filling missing keys."""
    raw = dict((policy_data or {}).get("routes", {}).get(tier) or {})
    default = DEFAULT_ROUTES[tier]
    steps = raw.get("sign_offs", default["sign_offs"])
    return Route(
        tier=tier,
        code=raw.get("code", ""),
        label=raw.get("label", ""),
        decided_by=raw.get("decided_by", default["decided_by"]),
        sign_offs=tuple(
            SignOffStep(
                role=step["role"], label=step["label"], fallback_role=step.get("fallback_role", "")
            )
            for step in steps
        ),
    )


def route_errors(tier: str, route: dict) -> list[str]:
    """Problems with the decided_by and sign_offs keys of one tier's route (for validation)."""
    errors = []
    decided_by = route.get("decided_by")
    if decided_by is not None and decided_by not in DECIDING_ROLES:
        errors.append(
            f"routes.{tier}.decided_by must be one of {', '.join(DECIDING_ROLES)}, "
            f"not '{decided_by}'."
        )
    steps = route.get("sign_offs")
    if steps is None:
        return errors
    if not isinstance(steps, list):
        return [*errors, f"routes.{tier}.sign_offs must be a list."]
    for index, step in enumerate(steps, start=1):
        where = f"routes.{tier}.sign_offs[{index}]"
        if not isinstance(step, dict):
            errors.append(f"{where} must be a mapping with a role and a label.")
            continue
        if step.get("role") not in SIGNING_ROLES:
            errors.append(f"{where}.role must be one of {', '.join(SIGNING_ROLES)}.")
        if not isinstance(step.get("label"), str) or not step.get("label", "").strip():
            errors.append(f"{where} needs a label (e.g. 'A senior officer').")
        fallback = step.get("fallback_role")
        if fallback not in (None, "", *SIGNING_ROLES):
            errors.append(f"{where}.fallback_role must be one of {', '.join(SIGNING_ROLES)}.")
        unknown = set(step) - {"role", "label", "fallback_role"}
        if unknown:
            errors.append(f"{where}: unknown keys {', '.join(sorted(unknown))}.")
    return errors
