"""Admin registrations, one module per concept."""

from . import (
    audit,  # noqa: F401
    checklist,  # noqa: F401
    countries,  # noqa: F401
    legal,  # noqa: F401
    notifications,  # noqa: F401
    people,  # noqa: F401
    requests,  # noqa: F401
    scoring,  # noqa: F401
    screening,  # noqa: F401
    watchlists,  # noqa: F401
)
