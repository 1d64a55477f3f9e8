"""Registry import: preview with line/column/reason, all-or-nothing apply, idempotent re-import."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kenes.core.models import LogEntry, Role
from kenes.core.tabular import write_csv, write_xlsx
from kenes.councils import services
from kenes.councils.models import Council, ImportJob, Membership, Person
from tests.factories import CouncilFactory, MembershipFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Роль",
    "Сектор",
    "Организация",
    "Начало полномочий",
    "Окончание полномочий",
    "Email",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def council():
    return CouncilFactory(code="pc-test")


@pytest.fixture
def secretary(council, user_with_role):
    return user_with_role(Role.COUNCIL_SECRETARY, council)


def members_file(rows, fmt="xlsx", headers=HEADERS, name=None):
    content = write_xlsx(headers, rows) if fmt == "xlsx" else write_csv(headers, rows)
    return SimpleUploadedFile(name or f"members.{fmt}", content)


GOOD_ROWS = [
    [
        "Омарова",
        "Гүлнар",
        "Серікқызы",
        "председатель",
        "НПО",
        "ОО «Адал азамат»",
        "12.03.2025",
        "12 наурыз 2028 ж.",
        "gulnar@example.kz",
    ],
    ["Ким", "Дмитрий", "Сергеевич", "член", "бизнес", "", "12 марта 2025 г.", "2028-03-12", ""],
    ["Сейітқали", "Бауыржан", "", "хатшы", "ғылым", "", date(2025, 3, 12), "", "b.seitkali@example.kz"],
]


def upload(council, user, file, kind=ImportJob.Kind.MEMBERS):
    job = services.import_start(kind=kind, council=council, file=file, acting_user=user)
    job.refresh_from_db()
    return job


def test_preview_lists_what_will_be_created_and_writes_nothing(
    council, secretary, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(council, secretary, members_file(GOOD_ROWS))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert job.summary == {"create": 3, "change": 0, "unchanged": 0, "reject": 0}
    assert not Membership.objects.filter(council=council).exists()


def apply(job, user, capture):
    with capture(execute=True):
        services.import_confirm(job=job, acting_user=user)
    job.refresh_from_db()
    return job


def test_apply_creates_members_and_reimport_changes_nothing(
    council, secretary, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        job = upload(council, secretary, members_file(GOOD_ROWS))
    job = apply(job, secretary, capture)
    assert job.status == ImportJob.Status.APPLIED
    memberships = Membership.objects.filter(council=council).select_related("person")
    assert memberships.count() == 3
    chair = memberships.get(role=Membership.Role.CHAIR)
    assert chair.term_start == date(2025, 3, 12) and chair.term_end == date(2028, 3, 12)
    assert chair.ngo_key == "адал азамат"
    assert LogEntry.objects.filter(action="councils.membership.added", object_id=str(council.pk)).count() == 3

    with capture(execute=True):
        again = upload(council, secretary, members_file(GOOD_ROWS, fmt="csv"))
    again.refresh_from_db()
    assert again.summary == {"create": 0, "change": 0, "unchanged": 3, "reject": 0}
    assert Person.objects.count() == 3


def test_changed_row_is_shown_as_a_change(council, secretary, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        job = upload(council, secretary, members_file(GOOD_ROWS))
    apply(job, secretary, capture)
    rows = [list(row) for row in GOOD_ROWS]
    rows[1][3] = "заместитель председателя"
    with capture(execute=True):
        job = upload(council, secretary, members_file(rows))
    job.refresh_from_db()
    assert job.summary["change"] == 1
    change = next(row for row in job.rows if row["action"] == "change")
    assert change["changes"]["role"] == ["member", "deputy_chair"]
    apply(job, secretary, capture)
    assert Membership.objects.get(person__last_name="Ким").role == Membership.Role.DEPUTY_CHAIR


def test_bad_rows_are_reported_with_line_column_and_reason_and_nothing_applies(
    council, secretary, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    rows = [
        GOOD_ROWS[0],
        ["Петров", "", "", "член", "бизнес", "", "01.02.2025", "", ""],
        ["Исаев", "Арман", "", "вождь", "бизнес", "", "31.02.2025", "", "not-an-email"],
    ]
    with capture(execute=True):
        job = upload(council, secretary, members_file(rows))
    job.refresh_from_db()
    assert job.summary["reject"] == 2
    errors = {(row["line"], error["column"]) for row in job.rows for error in row["errors"]}
    assert (3, "given name") in errors
    assert {(4, "role"), (4, "term starts"), (4, "e-mail")} <= errors
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.import_confirm(job=job, acting_user=secretary)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert not Membership.objects.filter(council=council).exists()


def test_secretary_cannot_import_rows_of_another_council(
    council, secretary, django_capture_on_commit_callbacks
):
    other = CouncilFactory(code="pc-other")
    rows = [["pc-other", *GOOD_ROWS[0]]]
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(council, secretary, members_file(rows, headers=["Код совета", *HEADERS]))
    job.refresh_from_db()
    assert job.summary["reject"] == 1
    assert "may not change" in job.rows[0]["errors"][0]["message"]
    assert not Membership.objects.filter(council=other).exists()


def test_cp1251_semicolon_csv_from_excel_is_read(council, secretary, django_capture_on_commit_callbacks):
    text = "Фамилия;Имя;Роль;Сектор;Начало полномочий\r\nБекова;Айгерим;член;СМИ;01.09.2025\r\n"
    file = SimpleUploadedFile("members.csv", text.encode("cp1251"))
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(council, secretary, file)
    job.refresh_from_db()
    assert job.summary["create"] == 1, job.rows or job.error


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not a sheet\x00\x00", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(
    council, secretary, django_capture_on_commit_callbacks, content, reason
):
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(council, secretary, SimpleUploadedFile("members.xlsx", content))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert reason in job.error.lower() or reason in job.error


def test_macro_workbook_is_refused(council, secretary, django_capture_on_commit_callbacks):
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(write_xlsx(HEADERS, GOOD_ROWS)))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        archive.writestr("xl/vbaProject.bin", b"\x00" * 64)
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(council, secretary, SimpleUploadedFile("members.xlsx", target.getvalue()))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "macro" in job.error.lower()


def test_file_over_the_size_limit_is_refused_before_it_is_stored(council, secretary, settings):
    from django.core.exceptions import ValidationError

    settings.KENES_IMPORT_MAX_BYTES = 1024
    with pytest.raises(ValidationError):
        upload(council, secretary, SimpleUploadedFile("big.csv", b"a,b\n" * 1000))
    assert not ImportJob.objects.exists()


def test_councils_import_by_the_coordinator_is_idempotent(user_with_role, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    coordinator = user_with_role(Role.COORDINATOR)
    headers = ["code", "name_kk", "name_ru", "name_en", "level", "state_body", "region", "term_end", "topics"]
    rows = [
        [
            "pc-new-1",
            "Жаңа кеңес",
            "Новый совет",
            "New council",
            "жергілікті",
            "akimat-35",
            "35",
            "01.01.2029",
            "ecology;health",
        ],
        ["pc-new-2", "Екінші кеңес", "Второй совет", "", "республиканский", "min-energy", "", "", ""],
    ]
    with capture(execute=True):
        job = services.import_start(
            kind=ImportJob.Kind.COUNCILS,
            council=None,
            file=SimpleUploadedFile("c.xlsx", write_xlsx(headers, rows)),
            acting_user=coordinator,
        )
    job.refresh_from_db()
    assert job.summary["create"] == 2, job.rows or job.error
    apply(job, coordinator, capture)
    created = Council.objects.get(code="pc-new-1")
    assert created.level == Council.Level.LOCAL and created.region.code == "35"
    assert sorted(created.topics.values_list("code", flat=True)) == ["ecology", "health"]
    assert created.search_text  # derived fields are filled on import too
    with capture(execute=True):
        again = services.import_start(
            kind=ImportJob.Kind.COUNCILS,
            council=None,
            file=SimpleUploadedFile("c.csv", write_csv(headers, rows)),
            acting_user=coordinator,
        )
    again.refresh_from_db()
    assert again.summary == {"create": 0, "change": 0, "unchanged": 2, "reject": 0}


def test_secretary_cannot_import_councils(secretary):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_start(
            kind=ImportJob.Kind.COUNCILS,
            council=None,
            file=SimpleUploadedFile("c.csv", b"code\n"),
            acting_user=secretary,
        )


def test_existing_member_is_matched_by_name_within_the_council(
    council, secretary, django_capture_on_commit_callbacks
):
    MembershipFactory(
        council=council,
        person__last_name="Ким",
        person__first_name="Дмитрий",
        person__patronymic="Сергеевич",
        role=Membership.Role.MEMBER,
        sector=Membership.Sector.BUSINESS,
        ngo_name="",
        term_start=date(2025, 3, 12),
        term_end=date(2028, 3, 12),
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(council, secretary, members_file([GOOD_ROWS[1]]))
    job.refresh_from_db()
    assert job.summary["unchanged"] == 1, job.rows


def test_ten_thousand_rows_plan_in_few_queries(council, secretary, django_assert_max_num_queries):
    from kenes.core.tabular import read_table
    from kenes.councils.importing import plan_members

    rows = [[f"Фамилия{n}", "Имя", "", "член", "бизнес", "", "01.02.2025", "", ""] for n in range(2000)]
    table = read_table(write_csv(HEADERS, rows), max_bytes=10**8, max_rows=10**6)
    with django_assert_max_num_queries(12):
        plan = plan_members(table, acting_user=secretary, council=council)
    assert plan.summary["create"] == 2000
