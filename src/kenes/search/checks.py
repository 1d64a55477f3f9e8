"""System check: warn (in ``manage.py check`` and the admin's logs) when embeddings are unavailable."""

from django.core.checks import Warning, register
from django.utils.translation import gettext as _


@register()
def similarity_backend_check(app_configs, **kwargs):
    from . import embedding

    backend = embedding.load()
    if isinstance(backend, embedding.Unavailable) and embedding.backend_name() != "lexical":
        return [
            Warning(
                _("The similarity engine's embedding backend is unavailable: %(reason)s")
                % {"reason": backend.reason},
                hint=_("Similar problems are matched by wording only until it loads."),
                id="kenes.search.W001",
            )
        ]
    return []
