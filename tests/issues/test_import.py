"""Bulk import of a council's topical problems: 10,000 rows, the broken ones refused with their line,
column and reason, nothing stored until every row is right, nothing shown unescaped."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kenes.core.models import LogEntry, Role
from kenes.core.tabular import write_csv, write_xlsx
from kenes.councils import services
from kenes.councils.models import ImportJob
from kenes.issues.models import Issue
from kenes.issues.search import IssueFilters, issue_search
from tests.factories import CouncilFactory

pytestmark = pytest.mark.django_db

HEADERS = ["Заголовок", "Описание", "Язык", "Код региона", "Темы", "Уязвимые группы"]
ROWS = 10_000
BROKEN = {
    17: ["", "Описание без заголовка.", "ru", "", "", ""],  # no title
    250: ["Свалка у реки", "\x00\x01\x02 двоичные данные", "ru", "", "", ""],  # binary
    999: ["Жол жөндеу", "😀😀😀", "kk", "", "", ""],  # no words
    4_321: ["Су жоқ", "Ауылда ауыз су жоқ.", "kk", "99", "", ""],  # unknown region
    8_765: ["Мектеп", "Мектеп апатты.", "kk", "", "education; nosuchtopic", ""],  # unknown topic
    9_999: ["Лифт", "Лифт не работает.", "klingon", "", "", ""],  # unknown language
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def council():
    return CouncilFactory(code="pc-import")


@pytest.fixture
def secretary(council, user_with_role):
    return user_with_role(Role.COUNCIL_SECRETARY, council)


def good_row(number: int) -> list:
    if number % 3 == 0:
        return [f"Аула {number}: нет воды", "Воды нет третью неделю.", "ru", "75", "ecology", "pensioners"]
    if number % 3 == 1:
        return [f"Жол {number}", "Ауылдың жолы жөнделмеген.", "kk", "", "", ""]
    return [f"<script>alert({number})</script> Мектеп", "Мектептің шатыры ағады.", "", "", "", ""]


def issues_file(rows, fmt="csv"):
    content = write_csv(HEADERS, rows) if fmt == "csv" else write_xlsx(HEADERS, rows)
    return SimpleUploadedFile(f"problems.{fmt}", content)


def upload(council, user, file, capture):
    with capture(execute=True):
        job = services.import_start(kind=ImportJob.Kind.ISSUES, council=council, file=file, acting_user=user)
    job.refresh_from_db()
    return job


def apply(job, user, capture):
    with capture(execute=True):
        services.import_confirm(job=job, acting_user=user)
    job.refresh_from_db()
    return job


def test_ten_thousand_rows_with_broken_ones_are_refused_with_reasons_and_nothing_is_stored(
    council, secretary, client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    rows = [BROKEN.get(number) or good_row(number) for number in range(ROWS)]
    job = upload(council, secretary, issues_file(rows), capture)
    assert job.status == ImportJob.Status.READY
    assert job.summary == {"create": ROWS - len(BROKEN), "change": 0, "unchanged": 0, "reject": len(BROKEN)}
    refused = {row["line"]: row["errors"] for row in job.rows if row["action"] == "reject"}
    # Line 1 is the header: row ``number`` of the list is line ``number + 2``.
    assert set(refused) == {number + 2 for number in BROKEN}
    assert refused[19] == [{"column": "title", "message": "This field cannot be empty."}]
    assert "binary" in refused[252][0]["message"] and refused[252][0]["column"] == "description"
    assert refused[1001] == [{"column": "description", "message": "Describe the problem in words."}]
    assert refused[4323] == [{"column": "region code", "message": "No region has the code «99»."}]
    assert refused[8767] == [{"column": "topics", "message": "Unknown codes: nosuchtopic."}]
    assert refused[10001][0]["column"] == "language"
    assert not job.applicable
    with pytest.raises(ValidationError, match="Some rows are refused"):
        apply(job, secretary, capture)
    assert not Issue.objects.exists()

    # The preview shows the refused rows and the rows to create, escaped.
    client.force_login(secretary)
    page = client.get(f"/councils/import/{job.pk}/").content.decode()
    assert "<script>alert(" not in page


def test_a_corrected_file_files_every_problem_in_one_go_audited_and_searchable(
    council, secretary, client, django_capture_on_commit_callbacks, settings
):
    # The imported problems' vectors are queued on commit and computed there (immediate tasks in
    # tests): by wording, not by embedding 10,000 texts with the model here.
    settings.KENES_SIMILARITY_BACKEND = "lexical"
    capture = django_capture_on_commit_callbacks
    job = upload(council, secretary, issues_file([good_row(number) for number in range(ROWS)]), capture)
    assert job.summary["create"] == ROWS and job.summary["reject"] == 0
    client.force_login(secretary)
    page = client.get(f"/councils/import/{job.pk}/").content.decode()
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page and "<script>alert(" not in page
    job = apply(job, secretary, capture)
    assert job.status == ImportJob.Status.APPLIED and job.summary["created"] == ROWS
    assert Issue.objects.filter(council=council, status=Issue.Status.NEW).count() == ROWS
    assert LogEntry.objects.filter(action="issues.issue.filed").count() == ROWS
    water = Issue.objects.get(title="Аула 3: нет воды")
    assert water.region.code == "75" and water.language == "ru" and water.source == Issue.Source.COUNCIL
    assert [topic.code for topic in water.topics.all()] == ["ecology"]
    assert [group.code for group in water.groups.all()] == ["pensioners"]
    assert Issue.objects.get(title="Жол 1").region_id == council.region_id
    # Searchable at once, filters included (a total above 1,000 is estimated on PostgreSQL).
    found = issue_search(query="жол", filters=IssueFilters(council=council.code), page=1)
    assert found.total >= 1_000 and all(hit.issue.council_id == council.pk for hit in found.hits)
    found = issue_search(query="воды", filters=IssueFilters(topic="ecology", group="pensioners"), page=1)
    assert found.hits and all([t.code for t in hit.issue.topic_list] == ["ecology"] for hit in found.hits)


def test_only_those_who_file_for_the_council_import_its_problems(
    council, user_with_role, django_capture_on_commit_callbacks
):
    other = user_with_role(Role.COUNCIL_SECRETARY, CouncilFactory(code="pc-other"))
    with pytest.raises(PermissionDenied):
        upload(council, other, issues_file([good_row(1)], fmt="xlsx"), django_capture_on_commit_callbacks)
    assert not ImportJob.objects.exists() and not Issue.objects.exists()


def test_the_import_page_takes_a_problems_file_for_the_secretarys_council(
    council, secretary, client, django_capture_on_commit_callbacks
):
    client.force_login(secretary)
    page = client.get("/councils/import/").content.decode()
    assert 'value="issues"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/councils/import/",
            {"kind": "issues", "file": issues_file([good_row(1), good_row(3)], fmt="xlsx")},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/councils/import/{job.pk}/"
    job.refresh_from_db()
    assert (job.council, job.kind, job.summary["create"]) == (council, ImportJob.Kind.ISSUES, 2)
