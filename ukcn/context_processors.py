from .roles import Role, has_role


def roles(request):
    """Tell templates which parts of the navigation the user may use."""
    user = request.user
    return {
        "nav": {
            "is_requester": has_role(user, Role.REQUESTER),
            "is_reviewer": has_role(user, Role.REVIEWER),
            "is_approver": has_role(user, Role.APPROVER),
            "is_guidance_editor": has_role(user, Role.GUIDANCE_EDITOR),
            "is_auditor": has_role(user, Role.AUDITOR),
            "is_admin": user.is_authenticated and user.is_staff,
        }
    }
