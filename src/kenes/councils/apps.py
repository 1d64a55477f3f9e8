from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "kenes.councils"
    label = "councils"
    verbose_name = _("Councils")

    def ready(self):
        from kenes.search.registry import register

        from .search import council_hits

        register(council_hits, order=10)
