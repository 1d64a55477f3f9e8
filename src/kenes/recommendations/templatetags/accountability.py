"""Number formatting for the accountability pages, cheap enough for a row per state body.

``floatformat`` and Django's number localisation cost tens of microseconds per value, which adds up
on the national scoreboard; these filters ask for the decimal separator once per value and format
with an f-string.
"""

from __future__ import annotations

from django import template
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

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


@register.simple_tag
def scoreboard_rows(rows) -> str:
    """The rows of one peer group's table: written in Python rather than looped in the template,
    because the national scoreboard has a row for every state body and the template engine's
    per-variable cost was most of the page's time."""
    too_few = _("not ranked: too few")

    def cells(row):
        meter = (
            format_html(
                ' <meter min="0" max="1" value="{}" aria-hidden="true"></meter>', f"{row.on_time.value:f}"
            )
            if row.on_time.denominator
            else ""
        )
        return (
            row.rank if row.ranked else too_few,
            row.url,
            row.body.name,
            percent(row.on_time),
            meter,
            sample(row.on_time),
            _fixed(row.lower_bound, 3),
            percent(row.response),
            sample(row.response),
        )

    return format_html_join(
        "\n",
        '<tr><td>{}</td><th scope="row"><a href="{}">{}</a></th><td>{}{}</td><td>{}</td><td>{}</td>'
        "<td>{}</td><td>{}</td></tr>",
        (cells(row) for row in rows),
    )
