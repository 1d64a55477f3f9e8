from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Sign in with an e-mail address; messages in the user's language."""

    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    error_messages = {
        "invalid_login": _(
            "The e-mail address or the password is wrong. Note that the password is case-sensitive."
        ),
        "inactive": _("This account is switched off. Ask the administrator."),
    }
