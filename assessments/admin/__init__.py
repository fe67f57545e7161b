"""Admin registrations, one module per concept."""

from . import (
    audit,  # noqa: F401
    screening,  # noqa: F401
)
