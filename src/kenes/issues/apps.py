from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "kenes.issues"
    label = "issues"
    verbose_name = _("Topical problems")

    def ready(self):
        from kenes.councils.importing import PLANNERS
        from kenes.councils.models import ImportJob
        from kenes.search.registry import register

        from .importing import plan_issues
        from .search import issue_hits

        register(issue_hits, order=60)
        PLANNERS[ImportJob.Kind.ISSUES] = plan_issues
