from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "kenes.recommendations"
    label = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self):
        from . import tally  # noqa: F401 - installs the tally's triggers after every migrate
