"""Number formatting for the accountability pages, cheap enough for a row per state body.

``floatformat`` and Django's number localisation cost tens of microseconds per value, which adds up
on the national scoreboard; these filters ask for the decimal separator once per value and format
with an f-string.
"""

from __future__ import annotations

from django import template
from django.utils.formats import get_format

register = template.Library()


def _fixed(value, digits: int) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", get_format("DECIMAL_SEPARATOR"))


@register.filter
def percent(ratio) -> str:
    """A ``metrics.Ratio`` as a percentage with one decimal, or a dash without a sample."""
    return "—" if ratio.value is None else _fixed(100 * ratio.value, 1) + "%"


@register.filter
def fixed(value, digits: int = 1) -> str:
    return _fixed(value, int(digits))


@register.filter
def sample(ratio) -> str:
    """``numerator / denominator``: the sample shown beside every rate."""
    return f"{ratio.numerator} / {ratio.denominator}"
