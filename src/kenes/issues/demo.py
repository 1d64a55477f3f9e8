"""Demo topical problems: about 20,000 at national scale (300 at small), in Kazakh and Russian, spread
over the councils of every region over two years, with recurring themes, citizens' submissions
awaiting moderation, links, supporters and a few confirmed national problems.

Texts come from ``textgen`` (the generator the similarity harness also uses). Vectors are not made
here: the worker's ``embed_missing`` job computes them after the demo is loaded, as it would after an
import, so similar-problem suggestions fill in within minutes of ``make run``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from kenes.core.audit import log_actions
from kenes.core.demo import DemoContext, demo_step
from kenes.core.models import Region, Topic, VulnerableGroup
from kenes.councils.models import Council
from kenes.search.fulltext import document

from .models import Issue, IssueLink, Problem, Support
from .textgen import generate

SCALE = {"small": 300, "national": 20_000}
BATCH = 2000
# Shares of the working statuses; the rest of the weight is closed ones.
STATUSES = [
    (Issue.Status.NEW, 30),
    (Issue.Status.UNDER_REVIEW, 25),
    (Issue.Status.IN_WORK, 20),
    (Issue.Status.RAISED, 8),
    (Issue.Status.RESOLVED, 12),
    (Issue.Status.REJECTED, 3),
]
SOURCES = [
    (Issue.Source.COUNCIL, 45),
    (Issue.Source.MEMBER, 35),
    (Issue.Source.CITIZEN, 12),
    (Issue.Source.MONITORING, 8),
]
NATIONAL_THEMES = 4
PROPOSED_THEMES = 2
CONFIRMED_SUMMARY = (
    "Мәселе көптеген өңірлердің қоғамдық кеңестерінде көтерілді. Үйлестіру орталығы оны орталық "
    "мемлекеттік органға ұсыным дайындау үшін үйлестіру кеңесінің күн тәртібіне енгізуді ұсынады."
)


def _weighted(rng, pairs):
    return rng.choices([value for value, _weight in pairs], [weight for _value, weight in pairs])[0]


def _councils_by_region() -> tuple[dict[int, list[Council]], list[Council]]:
    by_region: dict[int, list[Council]] = defaultdict(list)
    republican = []
    for council in Council.objects.filter(status=Council.Status.ACTIVE).order_by("pk"):
        if council.region_id:
            by_region[council.region_id].append(council)
        else:
            republican.append(council)
    return by_region, republican


@demo_step(order=40)
def issues(context: DemoContext) -> None:
    rng = context.rng
    count = SCALE[context.scale]
    now = timezone.now()
    regions = {region.code: region for region in Region.objects.all()}
    topics = {topic.code: topic for topic in Topic.objects.all()}
    groups = {group.code: group for group in VulnerableGroup.objects.all()}
    by_region, republican = _councils_by_region()
    showcase = Council.objects.filter(code="pc-min-health").first()
    author = context.users.get("council_member")
    rows: list[Issue] = []
    labels: list[tuple[str, str]] = []
    themes: list[str] = []
    for generated in generate(count, seed=context.seed, languages=("kk", "ru")):
        region = regions.get(generated.region_code)
        councils = by_region.get(region.pk, []) if region else []
        if councils and rng.random() < 0.85:
            council = rng.choice(councils)
        elif generated.topic_code == "health" and showcase is not None and rng.random() < 0.5:
            council = showcase
        else:
            council = rng.choice(republican or councils)
        source = _weighted(rng, SOURCES)
        status = _weighted(rng, STATUSES)
        created = now - timedelta(days=rng.uniform(0, 730), minutes=rng.randint(0, 600))
        issue = Issue(
            title=generated.title[:300],
            description=generated.description,
            language=generated.language,
            council=council,
            region=region,
            source=source,
            status=status,
            status_reason="Мәселе шешілді, жауап алынды." if status == Issue.Status.RESOLVED else "",
            author=author if council == showcase and source == Issue.Source.MEMBER else None,
            search_document=document(generated.title, generated.description),
            created_at=created,
        )
        if status == Issue.Status.REJECTED:
            issue.status_reason = "Мәселе кеңестің құзыретіне жатпайды."
        if source == Issue.Source.CITIZEN:
            issue.submitter_name = rng.choice(["Айжан Қ.", "Ерлан С.", "Ольга П.", "Нұрлан Ж.", "Мадина Т."])
            issue.submitter_language = generated.language
        rows.append(issue)
        labels.append((generated.topic_code, generated.group_code))
        themes.append(generated.theme)
    # The showcase council's secretary finds citizens' submissions waiting in the moderation queue.
    if showcase is not None:
        for issue in [
            row for row in rows if row.council_id == showcase.pk and row.source == Issue.Source.CITIZEN
        ][:4]:
            issue.status = Issue.Status.PENDING
            issue.created_at = now - timedelta(hours=rng.randint(2, 70))
    for start in range(0, len(rows), BATCH):
        Issue.objects.bulk_create(rows[start : start + BATCH], batch_size=500)
    _labels(rows, labels, topics, groups, rng)
    log_actions(
        [
            (
                issue,
                "issues.issue.submitted" if issue.source == Issue.Source.CITIZEN else "issues.issue.filed",
                None,
                {"after": {"status": issue.status, "council": issue.council.code}},
            )
            for issue in rows
        ]
    )
    _national_problems(context, rows, themes)
    _supports(context, rows)
    context.counts["issues"] = len(rows)


def _labels(rows, labels, topics, groups, rng) -> None:
    topic_links, group_links = [], []
    TopicLink, GroupLink = Issue.topics.through, Issue.groups.through
    for issue, (topic_code, group_code) in zip(rows, labels, strict=True):
        if topic_code in topics:
            topic_links.append(TopicLink(issue_id=issue.pk, topic_id=topics[topic_code].pk))
        if group_code in groups and rng.random() < 0.4:
            group_links.append(GroupLink(issue_id=issue.pk, vulnerablegroup_id=groups[group_code].pk))
    TopicLink.objects.bulk_create(topic_links, batch_size=2000)
    GroupLink.objects.bulk_create(group_links, batch_size=2000)


def _national_problems(context: DemoContext, rows, themes) -> None:
    """The most recurrent themes become confirmed national problems; the next ones are proposals."""
    rng = context.rng
    by_theme: dict[str, list[Issue]] = defaultdict(list)
    for issue, theme in zip(rows, themes, strict=True):
        if issue.status not in (Issue.Status.PENDING, Issue.Status.REJECTED):
            by_theme[theme].append(issue)
    ranked = sorted(by_theme, key=lambda theme: (-len({i.region_id for i in by_theme[theme]}), theme))
    coordinator = context.users.get("coordinator")
    entries = []
    links = []
    for position, theme in enumerate(ranked[: NATIONAL_THEMES + PROPOSED_THEMES]):
        confirmed = position < NATIONAL_THEMES
        members = by_theme[theme]
        # A national problem gathers one issue per council at most, from a sample of the regions.
        chosen, seen = [], set()
        for issue in sorted(members, key=lambda i: i.created_at):
            if issue.council_id not in seen:
                seen.add(issue.council_id)
                chosen.append(issue)
        chosen = chosen[: 40 if context.national else 6]
        leader = next((issue for issue in chosen if issue.language == "kk"), chosen[0])
        problem = Problem.objects.create(
            title=leader.title.split(" (")[0],
            summary=CONFIRMED_SUMMARY if confirmed else "",
            status=Problem.Status.CONFIRMED if confirmed else Problem.Status.PROPOSED,
            confirmed_by=coordinator if confirmed else None,
            confirmed_at=timezone.now() if confirmed else None,
        )
        Issue.objects.filter(pk__in=[issue.pk for issue in chosen]).update(problem=problem)
        entries.append(
            (
                problem,
                "issues.problem.confirmed" if confirmed else "issues.problem.proposed",
                None,  # loaded by the demo, not done by the coordinator
                {"after": {"issues": len(chosen)}},
            )
        )
        for first, second in zip(chosen, chosen[1:], strict=False):
            if rng.random() < 0.5:
                links.append(IssueLink(source=second, target=first, kind=IssueLink.Kind.SAME))
    IssueLink.objects.bulk_create(links, ignore_conflicts=True)
    log_actions(entries)
    context.counts["national_problems"] = NATIONAL_THEMES


def _supports(context: DemoContext, rows) -> None:
    rng = context.rng
    users = [user for key, user in context.users.items() if key.startswith("council_")]
    public = [issue for issue in rows if issue.status not in (Issue.Status.PENDING, Issue.Status.SPAM)]
    supports = []
    for user in users:
        for issue in rng.sample(public, min(len(public), 15)):
            supports.append(Support(issue=issue, user=user))
    Support.objects.bulk_create(supports, ignore_conflicts=True)


def demo_counts() -> dict[str, int]:
    return {
        "issues": Issue.objects.count(),
        "national_problems": Problem.objects.filter(status=Problem.Status.CONFIRMED).count(),
        "pending": Issue.objects.filter(Q(status=Issue.Status.PENDING)).count(),
    }
