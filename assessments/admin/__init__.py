"""Admin registrations, one module per concept."""

from . import (
    audit,  # noqa: F401
    notifications,  # noqa: F401
)
