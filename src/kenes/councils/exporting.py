"""Export of the registry (as filtered in the directory) to XLSX, CSV and JSON.

The councils sheet uses the import's column keys, so an exported file can be edited and imported
back. Columns are described in docs/data-dictionary.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, QuerySet

from kenes.core.tabular import write_csv, write_xlsx

from . import compliance
from .models import Council, Membership
from .services import COUNCIL_FIELDS

COUNCIL_HEADERS = [*COUNCIL_FIELDS, "topics", "active_members", "compliance_findings"]
MEMBER_HEADERS = [
    "council",
    "last_name",
    "first_name",
    "patronymic",
    "role",
    "sector",
    "ngo_name",
    "organisation",
    "position",
    "term_start",
    "term_end",
    "ceased_on",
    "ceased_reason",
]
PRIVATE_MEMBER_HEADERS = ["email", "phone", "in_state_service", "public_profile"]


def council_rows(councils: QuerySet[Council]) -> Iterable[list]:
    from django.utils import timezone

    today = timezone.localdate()
    for council in councils.prefetch_related("topics"):
        failing = [f.code for f in compliance.findings(council, today) if not f.ok]
        yield [
            council.code,
            council.name_kk,
            council.name_ru,
            council.name_en,
            council.level,
            council.state_body.code,
            council.region.code if council.region_id else "",
            council.district.code if council.district_id else "",
            council.status,
            council.established_on,
            council.term_start,
            council.term_end,
            council.min_members,
            council.max_members,
            council.secretariat_email,
            council.secretariat_phone,
            ";".join(sorted(t.code for t in council.topics.all())),
            council.active_members,
            ";".join(failing),
        ]


def member_rows(councils: QuerySet[Council], *, private: bool) -> Iterable[list]:
    """Members of the councils; people without consent appear without a name unless ``private``."""
    memberships = Membership.objects.select_related("person").order_by("person__last_name", "pk")
    for council in councils.prefetch_related(Prefetch("memberships", queryset=memberships)):
        for membership in council.memberships.all():
            person = membership.person
            named = private or person.public_profile
            row = [
                council.code,
                person.last_name if named else "",
                person.first_name if named else "",
                person.patronymic if named else "",
                membership.role,
                membership.sector,
                membership.ngo_name,
                person.organisation if named else "",
                person.position if named else "",
                membership.term_start,
                membership.term_end,
                membership.ceased_on,
                membership.ceased_reason,
            ]
            if private:
                row += [person.email, person.phone, person.in_state_service, person.public_profile]
            yield row


def render(kind: str, fmt: str, councils: QuerySet[Council], *, private: bool) -> tuple[bytes, str]:
    """The file contents and its content type."""
    if kind == "members":
        headers = MEMBER_HEADERS + (PRIVATE_MEMBER_HEADERS if private else [])
        rows = member_rows(councils, private=private)
    else:
        headers, rows = COUNCIL_HEADERS, council_rows(councils)
    if fmt == "xlsx":
        return write_xlsx(headers, rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if fmt == "json":
        records = [dict(zip(headers, row, strict=True)) for row in rows]
        return json.dumps(records, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode(
            "utf-8"
        ), "application/json"
    return write_csv(headers, rows), "text/csv; charset=utf-8"
