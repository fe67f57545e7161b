from django import template

from ..labels import person_name, readable_codes

register = template.Library()


@register.filter
def readable(text) -> str:
    """An audit summary with its codes as words: "answered partly_met" -> "answered partly met"."""
    return readable_codes(str(text))


@register.filter
def person(user, fallback: str = "") -> str:
    """A user's full name, else their username."""
    return person_name(user, fallback)
