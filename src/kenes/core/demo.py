"""The national demo data set: one generator, deterministic from a seed, extended by every app.

Each app contributes a ``demo.py`` with functions registered by ``@demo_step(order)``; the ``demo``
command runs them in order inside one transaction. The same generator feeds the benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from .models import Role, User
from .reference import load_reference
from .services import role_grant

SCALES = ("small", "national")
DEMO_DOMAIN = "demo.kenes.kz"
_steps: list[tuple[int, str, Callable[[DemoContext], None]]] = []


@dataclass
class DemoContext:
    scale: str
    seed: int
    rng: random.Random
    users: dict[str, User] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    shared: dict[str, object] = field(default_factory=dict)

    @property
    def national(self) -> bool:
        return self.scale == "national"


def demo_step(order: int):
    def register(function: Callable[[DemoContext], None]):
        name = f"{function.__module__}.{function.__name__}"
        if all(existing != name for _o, existing, _f in _steps):
            _steps.append((order, name, function))
            _steps.sort(key=lambda item: item[0])
        return function

    return register


def demo_email(role: str) -> str:
    return f"{role.replace('_', '-')}@{DEMO_DOMAIN}"


def is_loaded() -> bool:
    return User.objects.filter(email=demo_email("administrator")).exists()


def demo_user(
    context: DemoContext, key: str, full_name: str, *, language: str = "kk", staff: bool = False
) -> User:
    user = User.objects.create_user(
        demo_email(key),
        settings.KENES_DEMO_PASSWORD,
        full_name=full_name,
        preferred_language=language,
        is_staff=staff,
    )
    context.users[key] = user
    return user


@demo_step(order=10)
def platform_users(context: DemoContext) -> None:
    """The global roles: administrator, coordinator, expert."""
    admin = demo_user(context, "administrator", "Әкімшілік Жүйе", staff=True)
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    role_grant(user=admin, role=Role.ADMINISTRATOR, acting_user=None)
    coordinator = demo_user(context, "coordinator", "Сәуле Мұратқызы Ахметова", language="ru", staff=True)
    role_grant(user=coordinator, role=Role.COORDINATOR, acting_user=None)
    expert = demo_user(context, "expert", "Ержан Болатұлы Сейітов", language="en")
    role_grant(user=expert, role=Role.EXPERT, acting_user=None)


@transaction.atomic
def load_demo(*, scale: str, seed: int = 2026) -> DemoContext:
    """Load the demo data set in one transaction: all of it, or nothing."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    autodiscover_modules("demo")
    load_reference()
    context = DemoContext(scale=scale, seed=seed, rng=random.Random(seed))
    for _order, _name, step in _steps:
        step(context)
    return context


def demo_logins() -> list[tuple[str, str, str]]:
    """(role label, e-mail, password) of every demo account, for the start-up banner and README."""
    users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").prefetch_related("role_assignments")
    rows = []
    for user in users.order_by("email"):
        roles = ", ".join(sorted({str(a.get_role_display()) for a in user.role_assignments.all()}))
        rows.append((roles, user.email, settings.KENES_DEMO_PASSWORD))
    return rows
