"""Migrations run backwards and forwards on the database under test (SQLite and PostgreSQL)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_migrations_run_backwards_and_forwards():
    call_command("migrate", "meetings", "zero", verbosity=0)
    call_command("migrate", "councils", "0001", verbosity=0)
    call_command("migrate", "core", "0002", verbosity=0)
    call_command("migrate", verbosity=0)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
