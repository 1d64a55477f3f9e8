from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kenes.core"
    label = "core"
    verbose_name = _("Core: reference data, users, audit")

    def ready(self):
        from kenes.search.registry import register

        from .search import reference_hits

        register(reference_hits, order=50)
