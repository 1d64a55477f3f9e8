"""Compliance of a council's composition with the law, computed from its memberships, never typed in.

Each rule is defined once here: an SQL annotation set (so the directory can filter and count at
national scale in one query) and the reading of those annotations for one council (its page).
Defaults follow Law «On Public Councils»: size within the council's limits, at least two thirds of
members from civil society, a chair outside state service, one representative per organisation,
and a new composition formed from two months before the term ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import Council, Membership


def civil_society_share() -> Fraction:
    return Fraction(getattr(settings, "KENES_CIVIL_SOCIETY_SHARE", "2/3"))


def renewal_lead_months() -> int:
    return int(getattr(settings, "KENES_TERM_RENEWAL_MONTHS", 2))


LABELS = {
    "size": _("number of members within the limits"),
    "civil_society": _("at least two thirds from civil society"),
    "chair": _("chair elected and not in state service"),
    "one_per_ngo": _("one representative per organisation"),
    "term": _("composition term not expiring"),
}


@dataclass(frozen=True)
class Rule:
    code: str
    label: object
    failing: Q  # councils that break the rule, over the annotations of ``annotate_compliance``


def _active(prefix: str, today: date) -> Q:
    return (
        Q(**{f"{prefix}term_start__lte": today})
        & (Q(**{f"{prefix}term_end__isnull": True}) | Q(**{f"{prefix}term_end__gte": today}))
        & (Q(**{f"{prefix}ceased_on__isnull": True}) | Q(**{f"{prefix}ceased_on__gt": today}))
    )


def annotate_compliance(queryset: QuerySet[Council], today: date | None = None) -> QuerySet[Council]:
    """Add the figures every rule reads: active and state members, chair status, shared NGOs."""
    today = today or timezone.localdate()
    share = civil_society_share()
    active_in_council = Membership.objects.filter(_active("", today), council=OuterRef("pk"))
    active_chairs = active_in_council.filter(role=Membership.Role.CHAIR)
    shared_ngo = (
        active_in_council.exclude(ngo_key="")
        .values("ngo_key")
        .annotate(seats=Count("pk"))
        .filter(seats__gt=1)
    )

    # Correlated subqueries rather than JOIN + GROUP BY: the database computes them only for the
    # rows of the page being shown, whatever the size of the registry.
    def count_of(memberships) -> Coalesce:
        counted = memberships.order_by().values("council").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    return queryset.annotate(
        active_members=count_of(active_in_council),
        state_members=count_of(active_in_council.filter(sector=Membership.Sector.STATE)),
        # state members × denominator of the share must not exceed (1 − share) × active × denominator
        state_weight=F("state_members") * Value(share.denominator, output_field=IntegerField()),
        state_allowance=F("active_members")
        * Value(share.denominator - share.numerator, output_field=IntegerField()),
        has_chair=Exists(active_chairs),
        chair_in_state_service=Exists(active_chairs.filter(person__in_state_service=True)),
        has_shared_ngo=Exists(shared_ngo),
    )


def rules(today: date | None = None) -> list[Rule]:
    today = today or timezone.localdate()
    renewal_from = today + relativedelta(months=renewal_lead_months())
    return [
        Rule(
            "size",
            LABELS["size"],
            Q(active_members__lt=F("min_members")) | Q(active_members__gt=F("max_members")),
        ),
        Rule("civil_society", LABELS["civil_society"], Q(state_weight__gt=F("state_allowance"))),
        Rule("chair", LABELS["chair"], Q(has_chair=False) | Q(chair_in_state_service=True)),
        Rule("one_per_ngo", LABELS["one_per_ngo"], Q(has_shared_ngo=True)),
        Rule("term", LABELS["term"], Q(term_end__lt=renewal_from)),
    ]


def rule_choices() -> list[tuple[str, object]]:
    return [(rule.code, rule.label) for rule in rules()]


def non_compliant(today: date | None = None) -> Q:
    condition = Q(pk__in=[])
    for rule in rules(today):
        condition |= rule.failing
    return condition


def _day(day: date) -> str:
    return date_format(day, "d.m.Y")


@dataclass(frozen=True)
class Finding:
    code: str
    label: str
    ok: bool
    explanation: str


def findings(council: Council, today: date | None = None) -> list[Finding]:
    """The rules read for one council annotated by ``annotate_compliance``."""
    today = today or timezone.localdate()
    share = civil_society_share()
    active, state = council.active_members, council.state_members
    renewal_from = today + relativedelta(months=renewal_lead_months())
    results = []
    size_ok = council.min_members <= active <= council.max_members
    results.append(
        Finding(
            "size",
            str(LABELS["size"]),
            size_ok,
            str(
                _("%(count)s members; the limits are %(low)s–%(high)s.")
                % {"count": active, "low": council.min_members, "high": council.max_members}
            ),
        )
    )
    civil = active - state
    civil_ok = state * share.denominator <= active * (share.denominator - share.numerator)
    results.append(
        Finding(
            "civil_society",
            str(LABELS["civil_society"]),
            civil_ok,
            str(
                _("%(civil)s of %(count)s members are from civil society.")
                % {"civil": civil, "count": active}
            ),
        )
    )
    if not council.has_chair:
        chair_text, chair_ok = _("No chair is elected."), False
    elif council.chair_in_state_service:
        chair_text, chair_ok = _("The chair is in state service."), False
    else:
        chair_text, chair_ok = _("The chair is a public figure outside state service."), True
    results.append(Finding("chair", str(LABELS["chair"]), chair_ok, str(chair_text)))
    results.append(
        Finding(
            "one_per_ngo",
            str(LABELS["one_per_ngo"]),
            not council.has_shared_ngo,
            str(
                _("One organisation has more than one representative.")
                if council.has_shared_ngo
                else _("Every organisation has one representative.")
            ),
        )
    )
    if council.term_end is None:
        term_text, term_ok = _("The term of the composition is not recorded."), True
    elif council.term_end < today:
        term_text, term_ok = (
            _("The term of the composition ended on %(date)s.") % {"date": _day(council.term_end)},
            False,
        )
    elif council.term_end < renewal_from:
        term_text = _("The term ends on %(date)s: forming the new composition is due.") % {
            "date": _day(council.term_end)
        }
        term_ok = False
    else:
        term_text, term_ok = _("The term ends on %(date)s.") % {"date": _day(council.term_end)}, True
    results.append(Finding("term", str(LABELS["term"]), term_ok, str(term_text)))
    return results
