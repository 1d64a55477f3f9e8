"""Background tasks of the council registry."""

from datetime import timedelta

from django_tasks import task

from kenes.core.scheduler import periodic

from .selectors import councils_needing_renewal
from .services import council_renewal_remind


@periodic(every=timedelta(hours=6))
@task()
def renewal_sweep() -> int:
    """Remind secretaries and coordinators of councils whose composition term ends soon."""
    return sum(council_renewal_remind(council=council) for council in councils_needing_renewal())


@task()
def import_preview_task(job_id: int) -> str:
    """Read an uploaded registry file into a preview."""
    from .importing import import_preview
    from .models import ImportJob

    return import_preview(ImportJob.objects.get(pk=job_id)).status


@task()
def import_apply_task(job_id: int) -> str:
    """Apply a previewed registry import in one transaction."""
    from .importing import import_apply
    from .models import ImportJob

    return import_apply(ImportJob.objects.get(pk=job_id)).status
