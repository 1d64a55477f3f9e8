"""The worker proposes a national problem from the same problem raised by councils of several regions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kenes.core.models import Region
from kenes.issues.clustering import propose
from kenes.issues.models import Problem
from kenes.issues.similar import index_issues
from kenes.issues.textgen import generate
from kenes.search import similarity
from tests.factories import IssueFactory, LocalCouncilFactory

pytestmark = pytest.mark.django_db

DEV = Path(__file__).resolve().parents[1] / "data" / "issues_dev.jsonl"


def dev_texts(cluster: str) -> list[dict]:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["cluster"] == cluster]


def test_the_same_problem_from_three_regions_becomes_one_proposal():
    # A fresh process: earlier tests' rolled-back rows must not linger in this process's index.
    similarity.reset()
    twins = dev_texts("heating")
    assert len(twins) == 3
    same = []
    regions = list(Region.objects.order_by("code")[:3])
    for row, region in zip(twins, regions, strict=True):
        council = LocalCouncilFactory(region=region)
        same.append(
            IssueFactory(
                council=council, title=row["text"][:60], description=row["text"], language=row["lang"][:2]
            )
        )
    others = [
        IssueFactory(title=g.title, description=g.description, language=g.language)
        for g in generate(25, seed=11)
    ]
    index_issues([issue.pk for issue in same + others])
    proposals = propose()
    heating = [p for p in proposals if set(p.issues.values_list("pk", flat=True)) & {i.pk for i in same}]
    assert len(heating) == 1
    assert set(heating[0].issues.values_list("pk", flat=True)) == {issue.pk for issue in same}
    assert heating[0].status == Problem.Status.PROPOSED
    # A second run proposes nothing new for issues already in a problem.
    assert not [p for p in propose() if set(p.issues.values_list("pk", flat=True)) & {i.pk for i in same}]
