"""The real background path: a task stored by the database backend and run by `db_worker`."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from kenes.core.models import Role
from kenes.core.tabular import write_csv
from kenes.councils import services
from kenes.councils.models import ImportJob
from tests.factories import CouncilFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_import_preview_runs_on_the_database_worker(user_with_role, reference):
    council = CouncilFactory()
    secretary = user_with_role(Role.COUNCIL_SECRETARY, council)
    content = write_csv(["surname", "given name", "term starts"], [["Ахметов", "Ерлан", "01.02.2026"]])
    with override_settings(TASKS=DATABASE_TASKS):
        job = services.import_start(
            kind=ImportJob.Kind.MEMBERS,
            council=council,
            file=SimpleUploadedFile("m.csv", content),
            acting_user=secretary,
        )
        job.refresh_from_db()
        assert job.status == ImportJob.Status.PENDING  # stored, waiting for a worker
        call_command(
            "db_worker", batch=True, queue_name="default", reload=False, startup_delay=False, verbosity=0
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and job.summary["create"] == 1
