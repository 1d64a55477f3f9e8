"""Bulk import of a council's topical problems from XLSX or CSV (the registry import's ``issues`` kind).

A file is planned like the registry files (``kenes.councils.importing``): every row is checked with
the rules of filing one problem (``text.check_text``: empty, too long, binary, no words; codes of
region, district, topics and vulnerable groups) and either becomes a problem to create or is refused
with its line, column and a translated reason. A file with any refused row is never applied; applying
plans it again and writes every problem in one transaction, each with its audit entry, and queues their
vectors once it commits. Importing the same file twice files its problems twice: problems have no key
of their own, and the similar-problem links are there to join them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.core.audit import log_actions
from kenes.core.models import District, Region, Topic, User, VulnerableGroup
from kenes.core.tabular import Table, TableError, parse_choice
from kenes.councils.importing import Cells, Column, Plan, RowOutcome, header_map, report_progress
from kenes.councils.models import Council, ImportJob
from kenes.search.fulltext import document

from .models import Issue, Language
from .services import index_later
from .text import check_text

ISSUE_COLUMNS = [
    Column("title", gettext_lazy("title"), ("заголовок", "тақырып", "атауы"), required=True),
    Column("description", gettext_lazy("description"), ("описание", "сипаттама"), required=True),
    Column("language", gettext_lazy("language"), ("язык", "тіл")),
    Column("region", gettext_lazy("region code"), ("region", "код региона", "өңір коды")),
    Column("district", gettext_lazy("district code"), ("district", "код района", "аудан коды")),
    Column("topics", gettext_lazy("topics"), ("темы", "тақырыптар")),
    Column("groups", gettext_lazy("vulnerable groups"), ("groups", "уязвимые группы", "осал топтар")),
    Column("source", gettext_lazy("source"), ("источник", "дереккөз")),
]
_LANGUAGES = {"kk": "kaz|қазақша|казахский", "ru": "rus|орысша|русский", "en": "eng|English"}
_SOURCES = {
    "council": "совет|кеңес",
    "member": "член совета|кеңес мүшесі",
    "citizen": "гражданин|азамат",
    "monitoring": "мониторинг",
}
BATCH = 1_000


def _codes(cells: Cells, key: str, known: dict, label) -> list:
    """The reference rows named in a ``;``- or ``,``-separated cell; unknown codes refuse the row."""
    codes = [
        code.strip() for code in cells.text(key, limit=2000).replace(",", ";").split(";") if code.strip()
    ]
    unknown = [code for code in codes if code not in known]
    if unknown:
        cells.outcome.reject(label, _("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown)})
    return [known[code] for code in dict.fromkeys(codes) if code in known]


def _text(cells: Cells, key: str, limit: int) -> str:
    """A title or description checked as filing one problem checks it; refused with its reason."""
    try:
        return check_text(cells.values.get(key, ""), field=key, limit=limit)
    except ValidationError as error:
        for message in error.message_dict.get(key, error.messages):
            cells.outcome.reject(cells.labels[key], message)
        return ""


def plan_issues(
    table: Table, *, acting_user: User | None, council: Council | None = None, job: ImportJob | None = None
) -> Plan:
    """Plan a file of one council's problems: every row a problem to file, or refused with reasons."""
    if council is None:
        raise TableError(_("Choose the council whose problems the file holds."))
    if acting_user is not None and not acting_user.has_perm("issues.file_issue", council):
        raise PermissionDenied
    mapping = header_map(table, ISSUE_COLUMNS)
    regions = {row.code: row for row in Region.objects.all()}
    districts = {row.code: row for row in District.objects.all()}
    topics = {row.code: row for row in Topic.objects.all()}
    groups = {row.code: row for row in VulnerableGroup.objects.all()}
    title_limit = Issue._meta.get_field("title").max_length
    plan = Plan()
    planned: list[tuple[Issue, list, list]] = []
    for done, row in enumerate(table.rows, start=1):
        report_progress(job, done)
        outcome = RowOutcome(line=row.line, action="create")
        cells = Cells(row.values, mapping, ISSUE_COLUMNS, outcome)
        title = _text(cells, "title", title_limit)
        description = _text(cells, "description", settings.KENES_ISSUE_MAX_CHARS)
        language = cells.parsed("language", parse_choice, default=Language.KAZAKH, choices=_LANGUAGES)
        source = cells.parsed("source", parse_choice, default=Issue.Source.COUNCIL, choices=_SOURCES)
        region, district = cells.place(regions, districts)
        issue_topics = _codes(cells, "topics", topics, _("topics"))
        issue_groups = _codes(cells, "groups", groups, _("vulnerable groups"))
        outcome.key = title[:120]
        plan.rows.append(outcome)
        if outcome.action == "reject":
            continue
        region = region or (district.region if district else None)
        issue = Issue(
            council=council,
            author=acting_user,
            status=Issue.Status.NEW,
            title=title,
            description=description,
            language=language,
            source=source,
            region_id=region.pk if region else council.region_id,
            district=district,
            search_document=document(title, description),
        )
        planned.append((issue, issue_topics, issue_groups))

    def apply(user: User | None) -> dict:
        issues = [issue for issue, _topics, _groups in planned]
        Issue.objects.bulk_create(issues, batch_size=BATCH)
        TopicLink, GroupLink = Issue.topics.through, Issue.groups.through
        TopicLink.objects.bulk_create(
            [TopicLink(issue=issue, topic=topic) for issue, chosen, _groups in planned for topic in chosen],
            batch_size=BATCH,
        )
        GroupLink.objects.bulk_create(
            [
                GroupLink(issue=issue, vulnerablegroup=group)
                for issue, _topics, chosen in planned
                for group in chosen
            ],
            batch_size=BATCH,
        )
        log_actions(
            [
                (issue, "issues.issue.filed", user, {"after": {"title": issue.title, "import": True}})
                for issue in issues
            ]
        )
        index_later([issue.pk for issue in issues])
        return {"created": len(issues), "changed": 0}

    plan.apply = apply
    return plan
