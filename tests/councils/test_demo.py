"""The demo data set: deterministic, loaded once, national in scale, with a login per role."""

import pytest
from django.core.management import call_command

from kenes.core.demo import demo_logins, is_loaded, load_demo
from kenes.core.models import Role, RoleAssignment, User
from kenes.councils.models import Commission, Council, Membership, Person

pytestmark = pytest.mark.django_db


def test_small_demo_has_one_login_per_role():
    load_demo(scale="small", seed=7)
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert len(demo_logins()) == len(Role.values)
    secretary = User.objects.get(email="council-secretary@demo.kenes.kz")
    council = Council.objects.get(code="pc-min-health")
    assert secretary.has_perm("councils.change_council", council)
    assert secretary.person.memberships.get().council == council


def _wipe_demo():
    from django.apps import apps
    from django.db.models import ProtectedError

    # The apps above the registry protect their rows; empty them, the protecting models first.
    pending = [
        *apps.get_app_config("recommendations").get_models(),
        *apps.get_app_config("issues").get_models(),
    ]
    for model in pending:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is model and field.null:
                model.objects.update(**{field.name: None})  # answers that supersede answers
    for _attempt in range(10 * len(pending)):
        if not pending:
            break
        model = pending.pop(0)
        try:
            model.objects.all().delete()
        except ProtectedError:
            pending.append(model)
    Commission.objects.all().delete()
    Membership.objects.all().delete()
    Person.objects.all().delete()
    Council.objects.all().delete()
    User.objects.filter(email__endswith="@demo.kenes.kz").delete()


def _people():
    return list(Person.objects.order_by("pk").values_list("last_name", "first_name", "patronymic"))


def test_demo_is_deterministic_for_a_seed():
    load_demo(scale="small", seed=7)
    first = _people()
    _wipe_demo()
    load_demo(scale="small", seed=7)
    assert _people() == first
    _wipe_demo()
    load_demo(scale="small", seed=8)
    assert _people() != first


def test_demo_command_runs_once(capsys):
    call_command("demo", "--scale", "small")
    assert is_loaded()
    councils = Council.objects.count()
    call_command("demo", "--scale", "small")
    assert "already loaded" in capsys.readouterr().out
    assert Council.objects.count() == councils


def test_national_demo_has_the_country_in_it():
    context = load_demo(scale="national")
    assert Council.objects.count() >= 260
    assert 3500 <= Membership.objects.count() <= 4800
    assert Council.objects.filter(level=Council.Level.LOCAL).values("region").distinct().count() == 20
    assert Council.objects.filter(level=Council.Level.REPUBLICAN).count() >= 25
    assert context.counts["councils"] == Council.objects.count()
    kazakh_letters = set("әғқңөұүһі")
    assert Person.objects.filter(last_name__regex=f"[{''.join(kazakh_letters)}]").exists()
    assert Person.objects.filter(patronymic__endswith="ович").exists()
    # The problems database: about 20,000 issues in Kazakh and Russian from every region.
    from kenes.issues.models import Issue, Problem

    assert Issue.objects.count() == 20_000
    assert set(Issue.objects.values_list("language", flat=True).distinct()) == {"kk", "ru"}
    assert Issue.objects.values("region").distinct().count() >= 20
    assert Problem.objects.filter(status=Problem.Status.CONFIRMED).count() >= 4
