"""Admin registrations, one module per concept."""

from . import audit, checklist  # noqa: F401
