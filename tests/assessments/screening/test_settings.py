import pytest
from django.core.exceptions import ImproperlyConfigured

from ukcn.settings import envfraction


def test_the_threshold_setting_reads_a_fraction(monkeypatch):
    monkeypatch.setenv("SCREENING_THRESHOLD", "0.9")
    assert envfraction("SCREENING_THRESHOLD", 0.85) == 0.9
    monkeypatch.delenv("SCREENING_THRESHOLD")
    assert envfraction("SCREENING_THRESHOLD", 0.85) == 0.85


@pytest.mark.parametrize("raw", ["high", "1.5", "-0.1"])
def test_the_threshold_setting_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("SCREENING_THRESHOLD", raw)
    with pytest.raises(ImproperlyConfigured, match="between 0 and 1"):
        envfraction("SCREENING_THRESHOLD", 0.85)
