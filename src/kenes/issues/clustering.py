"""Proposals of national problems: issues from several councils that the engine says are the same.

Two issues join when each is among the other's ``MUTUAL`` nearest neighbours and their score is
above ``FLOOR`` (the hubness-corrected score is 0 when two texts are no closer than their usual
neighbours). Mutual nearest neighbours keep one vague text from chaining unrelated problems together;
the floor sits below the engine's "very likely the same" threshold, because a proposal is only a
suggestion that a coordinator confirms, and three languages of one problem rarely all reach it.
A group becomes a proposal when it spans at least ``MIN_COUNCILS`` councils in ``MIN_REGIONS``
regions; issues already in a national problem (proposed, confirmed or dismissed) are left alone.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from . import services
from .models import Issue, Problem
from .similar import COLLECTION
from .workflows import WORKING

NEIGHBOURS = 10
MUTUAL = 3
FLOOR = 0.0
MIN_COUNCILS = 3
MIN_REGIONS = 2
MAX_CANDIDATES = 20000


class _Groups:
    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, key: int) -> int:
        root = self.parent.setdefault(key, key)
        while root != self.parent[root]:
            root = self.parent[root]
        while key != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def candidate_groups(*, limit: int = MAX_CANDIDATES) -> list[list[int]]:
    """Groups of loose working issues that the engine calls the same problem, largest first."""
    loose = dict(
        Issue.objects.filter(problem__isnull=True, status__in=WORKING)
        .order_by("-created_at")
        .values_list("pk", "council_id")[:limit]
    )
    duplicates: dict[int, set[int]] = {}
    for key in loose:
        duplicates[key] = {
            match.key
            for match in _engine().neighbours(COLLECTION, key, k=NEIGHBOURS)[:MUTUAL]
            if match.duplicate or match.score >= FLOOR
        }
    groups = _Groups()
    for key, others in duplicates.items():
        for other in others:
            if other in loose and key in duplicates.get(other, ()) and loose[key] != loose[other]:
                groups.join(key, other)
    members: dict[int, list[int]] = defaultdict(list)
    for key in groups.parent:
        members[groups.find(key)].append(key)
    return sorted((sorted(group) for group in members.values() if len(group) > 1), key=len, reverse=True)


def propose() -> list[Problem]:
    """Create a proposal for every group wide enough to be a national problem."""
    proposals = []
    for group in candidate_groups():
        issues = list(Issue.objects.filter(pk__in=group, problem__isnull=True).select_related("council"))
        spread = Issue.objects.filter(pk__in=[i.pk for i in issues]).aggregate(
            councils=Count("council", distinct=True), regions=Count("region", distinct=True)
        )
        if spread["councils"] < MIN_COUNCILS or spread["regions"] < MIN_REGIONS:
            continue
        # The most supported, then the oldest, issue names the proposal until a coordinator edits it.
        leader = min(issues, key=lambda issue: issue.created_at)
        proposals.append(services.problem_propose(title=leader.title, issues=issues))
    return proposals


def _engine():
    """The similarity engine, imported on first use: loading it pulls the embedding model's library."""
    from kenes.search import similarity

    return similarity
