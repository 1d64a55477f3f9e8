"""Form widgets for long reference lists.

Django renders every <option> through a template, which costs ~0.1 ms an option; the directory's
filters hold several hundred (districts, bodies). ``FastSelect`` builds the same markup in Python,
with optional groups, and keeps Django's attributes (id, name, aria-*) intact.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        widget = context["widget"]
        selected = {str(v) for v in widget["value"]}
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = "".join(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"] if option["value"] is not None else "",
                    mark_safe(" selected") if str(option["value"]) in selected else "",
                    option["label"],
                )
                for option in options
            )
            parts.append(
                f'<optgroup label="{escape(group_name)}">{rendered}</optgroup>' if group_name else rendered
            )
        return mark_safe(f'<select{flatatt(widget["attrs"])} name="{escape(name)}">{"".join(parts)}</select>')


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as ISO 8601 whatever the interface language."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)
