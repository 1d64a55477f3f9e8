"""What a problem's text must be: real words, of a sensible length, with nothing binary in it.

Script injection is not refused here (a citizen may well quote ``<script>``); it is stored as typed
and escaped wherever it is shown.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Control characters other than tab and line breaks mean pasted binary data.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def check_text(value: str | None, *, field: str, limit: int) -> str:
    """``value`` stripped and with normalised line breaks, or a ValidationError for ``field``."""
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({field: _("This field cannot be empty.")})
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("The text is too long: %(length)s characters, at most %(limit)s.")
                % {"length": f"{len(text):,}".replace(",", " "), "limit": f"{limit:,}".replace(",", " ")}
            }
        )
    if any(
        (unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS) or ch in "\ufffe\uffff"
        for ch in text
    ):
        raise ValidationError({field: _("The text contains characters that are not text (binary data).")})
    if not any(ch.isalpha() for ch in text):
        raise ValidationError({field: _("Describe the problem in words.")})
    return text
