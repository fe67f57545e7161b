"""The importer registry: built-ins, the `ukcn.watchlist_importers` entry points, and a setting.

Another package adds a format without changing ukcn by declaring, in its pyproject.toml:

    [project.entry-points."ukcn.watchlist_importers"]
    myformat = "mypackage.importers:MyFormatImporter"

or by listing the class's dotted path in the UKCN_WATCHLIST_IMPORTERS setting.
"""

import logging
from importlib.metadata import entry_points

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from .base import Importer, ImportFormatError

ENTRY_POINT_GROUP = "ukcn.watchlist_importers"
logger = logging.getLogger(__name__)

_builtins: dict[str, type[Importer]] = {}
_loaded: dict[str, Importer] | None = None


def importer_register(cls: type[Importer]) -> type[Importer]:
    """Class decorator the built-in importers use to register themselves."""
    if not cls.name:
        raise ValueError(f"{cls.__qualname__} has no name")
    _builtins[cls.name] = cls
    return cls


def _add(found: dict[str, Importer], cls, origin: str) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Importer) and cls.name):
        raise TypeError(f"{origin} is not a named Importer subclass")
    found[cls.name] = cls()


def _load() -> dict[str, Importer]:
    from . import aspi, ca_nro, csl, ftm, uk_sanctions, ukcn_csv, us_1260h  # noqa: F401 - they register themselves

    found: dict[str, Importer] = {name: cls() for name, cls in _builtins.items()}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        _add(found, entry_point.load(), f"entry point {entry_point.name!r}")
    for dotted in getattr(settings, "UKCN_WATCHLIST_IMPORTERS", []):
        _add(found, import_string(dotted), f"UKCN_WATCHLIST_IMPORTERS entry {dotted!r}")
    return found


def importers_available() -> dict[str, Importer]:
    """Every importer by name, loaded once per process."""
    global _loaded
    if _loaded is None:
        _loaded = _load()
    return _loaded


def importer_get(name: str) -> Importer:
    """The importer for a --format name; ImportFormatError lists the known ones otherwise."""
    available = importers_available()
    try:
        return available[name]
    except KeyError:
        known = ", ".join(sorted(available))
        raise ImportFormatError(f"unknown format {name!r} (known formats: {known})") from None


@receiver(setting_changed)
def _reset_on_setting_change(*, setting, **kwargs):
    global _loaded
    if setting == "UKCN_WATCHLIST_IMPORTERS":
        _loaded = None


__all__ = [
    "ENTRY_POINT_GROUP",
    "ImportFormatError",
    "Importer",
    "importer_get",
    "importer_register",
    "importers_available",
]
