"""The audit log is append-only and hash-chained; verify_audit finds any tampering."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kenes.core.audit import log_action, verify_chain
from kenes.core.models import LogEntry, Region

pytestmark = pytest.mark.django_db


def _table() -> str:
    return connection.ops.quote_name(LogEntry._meta.db_table)


def _write_three(actor):
    region = Region.objects.get(code="71")
    return [log_action(region, "test.touched", actor=actor, data={"n": n}) for n in range(3)]


def test_entries_link_to_the_previous_one(make_user):
    first, second, third = _write_three(make_user())
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert third.sequence == first.sequence + 2
    assert list(verify_chain()) == []


def test_entry_cannot_be_changed_or_deleted_through_the_orm(make_user):
    entry = _write_three(make_user())[0]
    entry.action = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        LogEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(PermissionError):
        LogEntry.objects.filter(pk=entry.pk).delete()


def test_changed_row_is_detected(make_user):
    entry = _write_three(make_user())[1]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table()} SET object_repr = %s WHERE id = %s", ["forged", entry.pk])
    problems = list(verify_chain())
    assert [p.sequence for p in problems] == [entry.sequence]
    assert "changed" in problems[0].problem
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_deleted_row_in_the_middle_is_detected(make_user):
    entry = _write_three(make_user())[1]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE id = %s", [entry.pk])
    problems = list(verify_chain())
    assert any("missing" in p.problem for p in problems)


def test_deleted_last_row_is_detected(make_user):
    entry = _write_three(make_user())[2]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE id = %s", [entry.pk])
    assert any("missing" in p.problem for p in verify_chain())


def test_intact_log_passes_the_command(make_user, capsys):
    _write_three(make_user())
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_anonymous_actor_is_recorded_as_system():
    region = Region.objects.get(code="75")
    entry = log_action(region, "test.system")
    assert entry.actor is None and entry.actor_repr == ""
