"""Search of topical problems: scripts, word forms, filters, facets, highlighting, the API, site search."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kenes.core.models import Region, Topic, VulnerableGroup
from kenes.issues import search as issues_search
from kenes.issues.models import Issue
from kenes.issues.search import IssueFilters, issue_search
from kenes.search import fulltext
from kenes.search.selectors import site_search
from tests.factories import CouncilFactory, IssueFactory, LocalCouncilFactory

pytestmark = pytest.mark.django_db

CYRILLIC = "Ауылдағы жұмыссыздық мәселесі"
LATIN = {
    "2017": "Aýyldag'y jumyssyzdyq ma'selesi",
    "2018": "Aýyldaǵy jumyssyzdyq máselesi",
    "2021": "Auyldağy jūmyssyzdyq mäselesı",
    "informal": "Auyldagy zhumyssyzdyk maselesi",
}


def _titles(query="", **filters):
    result = issue_search(query=query, filters=IssueFilters(**filters), user=None, page=1, per_page=100)
    return [hit.issue.title for hit in result.hits]


@pytest.mark.parametrize("alphabet", LATIN)
def test_latin_query_finds_the_cyrillic_issue(alphabet):
    IssueFactory(title=CYRILLIC)
    IssueFactory(title="Су құбыры")
    assert _titles(LATIN[alphabet]) == [CYRILLIC]


@pytest.mark.parametrize("alphabet", LATIN)
def test_cyrillic_query_finds_the_latin_issue(alphabet):
    IssueFactory(title=LATIN[alphabet])
    IssueFactory(title="Су құбыры")
    assert _titles(CYRILLIC) == [LATIN[alphabet]]


def test_kazakh_word_finds_its_forms():
    IssueFactory(title="Жастар жұмыссыздығы", description="")
    IssueFactory(title="Жұмыссыздыққа қарсы бағдарлама", description="")
    IssueFactory(title="Жұмыс орындары", description="")
    assert sorted(_titles("жұмыссыздық")) == ["Жастар жұмыссыздығы", "Жұмыссыздыққа қарсы бағдарлама"]


def test_russian_and_english_word_forms_meet():
    IssueFactory(title="Проблемы с отоплением", description="", language="ru")
    IssueFactory(title="Heated debates on parking", description="", language="en")
    assert _titles("отопление") == ["Проблемы с отоплением"]
    assert _titles("heating") == ["Heated debates on parking"]


def test_only_public_issues_are_found():
    IssueFactory(title="Жол", status=Issue.Status.NEW)
    IssueFactory(title="Жол жабық", status=Issue.Status.PENDING)
    IssueFactory(title="Жол спам", status=Issue.Status.SPAM)
    assert _titles("жол") == ["Жол"]
    assert _titles("жол", status=Issue.Status.PENDING) == []
    assert _titles() == ["Жол"]


def test_without_a_query_newest_first():
    IssueFactory(title="Ескі", created_at=timezone.make_aware(datetime(2026, 1, 5)))
    IssueFactory(title="Жаңа", created_at=timezone.make_aware(datetime(2026, 3, 5)))
    assert _titles() == ["Жаңа", "Ескі"]


def test_every_filter_narrows_the_result():
    almaty, astana = Region.objects.get(code="75"), Region.objects.get(code="71")
    ecology, health = Topic.objects.get(code="ecology"), Topic.objects.get(code="health")
    pensioners = VulnerableGroup.objects.get(code="pensioners")
    council = CouncilFactory()
    first = IssueFactory(
        title="Ауа ластануы",
        region=almaty,
        created_at=timezone.make_aware(datetime(2026, 2, 10, 12)),
    )
    first.topics.add(ecology)
    first.groups.add(pensioners)
    second = IssueFactory(
        title="Ауа сапасы ауруханада",
        region=astana,
        council=council,
        status=Issue.Status.IN_WORK,
        created_at=timezone.make_aware(datetime(2026, 4, 1, 12)),
    )
    second.topics.add(health)
    assert sorted(_titles("ауа")) == ["Ауа ластануы", "Ауа сапасы ауруханада"]
    assert _titles("ауа", region="75") == ["Ауа ластануы"]
    assert _titles("ауа", topic="health") == ["Ауа сапасы ауруханада"]
    assert _titles("ауа", group="pensioners") == ["Ауа ластануы"]
    assert _titles("ауа", status="in_work") == ["Ауа сапасы ауруханада"]
    assert _titles("ауа", council=council.code) == ["Ауа сапасы ауруханада"]
    assert _titles("ауа", date_from=date(2026, 3, 1)) == ["Ауа сапасы ауруханада"]
    assert _titles("ауа", date_to=date(2026, 2, 10)) == ["Ауа ластануы"]
    assert _titles("ауа", date_from=date(2026, 2, 11), date_to=date(2026, 3, 31)) == []
    assert _titles("ауа", region="no-such-region") == []


def test_filters_follow_every_way_topics_groups_region_and_status_change():
    """PostgreSQL asks the index for the filters (labels in the tsvector, kept by triggers); SQLite
    joins. Either way a filter sees the issue as it is now, however it was changed."""
    almaty, astana = Region.objects.get(code="75"), Region.objects.get(code="71")
    ecology, health = Topic.objects.get(code="ecology"), Topic.objects.get(code="health")
    pensioners = VulnerableGroup.objects.get(code="pensioners")
    issue = IssueFactory(title="Ауа ластануы", region=almaty)
    issue.topics.set([ecology])
    assert _titles("ауа", topic="ecology") == ["Ауа ластануы"]
    issue.topics.set([health])  # through the ORM: a delete and an insert
    assert _titles("ауа", topic="ecology") == [] and _titles("ауа", topic="health") == ["Ауа ластануы"]
    Issue.groups.through.objects.bulk_create([Issue.groups.through(issue=issue, vulnerablegroup=pensioners)])
    assert _titles(group="pensioners") == ["Ауа ластануы"]
    Issue.groups.through.objects.filter(issue=issue).update(
        vulnerablegroup=VulnerableGroup.objects.exclude(pk=pensioners.pk).first()
    )
    assert _titles(group="pensioners") == []
    Issue.topics.through.objects.filter(issue=issue).delete()
    assert _titles("ауа", topic="health") == []
    Issue.objects.filter(pk=issue.pk).update(region=astana, status=Issue.Status.IN_WORK)
    assert _titles("ауа", region="75") == [] and _titles("ауа", region="71", status="in_work") == [
        "Ауа ластануы"
    ]
    assert _titles("ауа", status="new") == []


def test_postgresql_keeps_the_labels_equal_to_the_links():
    if connection.vendor != "postgresql":
        pytest.skip("the labels are PostgreSQL's")
    ecology, health = Topic.objects.get(code="ecology"), Topic.objects.get(code="health")
    issues = [IssueFactory(title=f"Ауа {n}") for n in range(3)]
    Issue.topics.through.objects.bulk_create(
        [Issue.topics.through(issue=issue, topic=topic) for issue in issues for topic in (ecology, health)]
    )
    issues[1].topics.remove(health)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, search_labels FROM issues_issue WHERE id = ANY(%s) ORDER BY id",
            [[i.pk for i in issues]],
        )
        stored = dict(cursor.fetchall())
    assert stored == {
        issues[0].pk: sorted([f"#t{ecology.pk}", f"#t{health.pk}"]),
        issues[1].pk: [f"#t{ecology.pk}"],
        issues[2].pk: sorted([f"#t{ecology.pk}", f"#t{health.pk}"]),
    }


def test_a_large_result_is_read_newest_first_along_the_date(monkeypatch):
    """PostgreSQL: when a result is a large share of the table its page is read along created_at
    with the match checked row by row (``WALK_ROWS``, ``ts_match_vq``) instead of from the index's
    matches; the page is the same either way."""
    monkeypatch.setattr(issues_search, "FACET_SAMPLE", 2)
    monkeypatch.setattr(issues_search, "RANK_LIMIT", 1)  # SQLite counts exactly: newest first there too
    # As if analysed: 7 issues on one page (a test's table never is).
    monkeypatch.setattr(issues_search, "_table_size", lambda: (1, 7.0))
    for day in range(1, 7):
        IssueFactory(title=f"Қоқыс {day}", created_at=timezone.make_aware(datetime(2026, 1, day)))
    IssueFactory(title="Басқа", created_at=timezone.make_aware(datetime(2026, 1, 9)))
    pages, walked, sorted_unindexed = [], [], []

    def search(filters=None):
        with CaptureQueriesContext(connection) as captured:
            result = issue_search(
                query="қоқыс", filters=filters or IssueFilters(), user=None, page=1, per_page=3
            )
        assert result.total > 2 and not result.ranked
        pages.append([hit.issue.title for hit in result.hits])
        walked.append(any("ts_match_vq" in query["sql"] for query in captured))
        # The index's matches are sorted by an expression the planner cannot walk an index for.
        sorted_unindexed.append(any('."created_at" + ' in query["sql"] for query in captured))

    for walk_rows in (0, 10**9):
        monkeypatch.setattr(issues_search, "WALK_ROWS", walk_rows)
        search()
    assert pages[0] == pages[1] == ["Қоқыс 6", "Қоқыс 5", "Қоқыс 4"]
    postgresql = connection.vendor == "postgresql"
    assert walked == ([False, True] if postgresql else [False, False])
    assert sorted_unindexed == ([True, False] if postgresql else [False, False])
    # Words the statistics call frequent are never sorted whole, whatever a sample made of them.
    monkeypatch.setattr(issues_search, "WALK_ROWS", 0)
    monkeypatch.setattr(issues_search, "_table_size", lambda: (1, 1_000_000.0))
    common = dict.fromkeys(fulltext.parse_query("қоқыс").stems, 0.5)
    monkeypatch.setattr(fulltext, "_lexeme_frequencies", lambda table, column: (common, 0.01))
    search()
    assert pages[-1] == pages[0]
    assert (walked[-1], sorted_unindexed[-1]) == (False, False)
    # Within a period a walk reads the period's issues only: a short period of a large table is walked.
    pages.clear(), walked.clear()
    monkeypatch.setattr(issues_search, "WALK_ROWS", 10)
    monkeypatch.setattr(issues_search, "_table_size", lambda: (1, 1_000_000.0))
    january = IssueFilters(date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    for period_rows in (7, 1_000_000):
        monkeypatch.setattr(issues_search, "_period_rows", lambda filters, rows=period_rows: rows)
        search(january)
    assert pages[0] == pages[1] == ["Қоқыс 6", "Қоқыс 5", "Қоқыс 4"]
    assert walked == ([True, False] if postgresql else [False, False])


def test_a_large_result_is_sized_by_the_pages_its_sample_covered(monkeypatch):
    """A full sample found in the first tenth of the table's pages (from its first match on) means ten
    times as many matches; within a period, of the period's pages."""
    monkeypatch.setattr(issues_search, "_table_size", lambda: (1_000, 100_000.0))
    monkeypatch.setattr(issues_search, "_period_rows", lambda filters: 25_000)
    whole = issues_search._size_of(Issue.objects.none(), 1_001, 0, 99, IssueFilters())
    assert whole == 10_010
    # Matches found from page 900 on only (a word new this year): the same density over the last 100.
    assert issues_search._size_of(Issue.objects.none(), 1_001, 900, 909, IssueFilters()) == 10_010
    year = IssueFilters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    # The period is a quarter of the table (250 pages); the sample covered 50 of them.
    assert issues_search._size_of(Issue.objects.none(), 1_001, 600, 649, year) == 5_005
    # Never below the sample itself.
    assert issues_search._size_of(Issue.objects.none(), 1_001, 0, 999, IssueFilters()) == 1_001


def test_facets_count_the_result_with_the_other_filters_applied():
    almaty, astana = Region.objects.get(code="75"), Region.objects.get(code="71")
    ecology = Topic.objects.get(code="ecology")
    for region, status in ((almaty, "new"), (almaty, "in_work"), (astana, "new")):
        issue = IssueFactory(title="Қоқыс", region=region, status=status)
        issue.topics.add(ecology)
        issue.groups.add(VulnerableGroup.objects.get(code="pensioners"))
    IssueFactory(title="Басқа", region=astana)
    result = issue_search(query="қоқыс", filters=IssueFilters(region="75"), user=None, page=1)
    facets = {name: {value.code: value.count for value in values} for name, values in result.facets.items()}
    assert result.total == 2
    # The region facet ignores the region filter, so the other choices show their counts.
    assert facets["region"] == {"75": 2, "71": 1}
    assert facets["status"] == {"new": 1, "in_work": 1}
    assert facets["topic"] == {"ecology": 2}
    assert facets["group"] == {"pensioners": 2}
    assert not result.facets_estimated
    assert all(value.label for values in result.facets.values() for value in values)


def test_facets_of_the_topic_and_group_filters_ignore_their_own_filter():
    ecology, health = Topic.objects.get(code="ecology"), Topic.objects.get(code="health")
    pensioners = VulnerableGroup.objects.get(code="pensioners")
    first = IssueFactory(title="Қоқыс", status="new")
    first.topics.add(ecology)
    first.groups.add(pensioners)
    second = IssueFactory(title="Қоқыс", status="in_work")
    second.topics.add(health, ecology)
    IssueFactory(title="Қоқыс").topics.add(health)
    result = issue_search(
        query="қоқыс", filters=IssueFilters(topic="ecology", group="pensioners"), user=None, page=1
    )
    facets = {name: {value.code: value.count for value in values} for name, values in result.facets.items()}
    assert result.total == 1 and [hit.issue.pk for hit in result.hits] == [first.pk]
    # Without the topic filter: the pensioners' issues; without the group filter: the ecology ones.
    assert facets["topic"] == {"ecology": 1}
    assert facets["group"] == {"pensioners": 1}
    assert facets["status"] == {"new": 1}
    result = issue_search(query="қоқыс", filters=IssueFilters(topic="ecology"), user=None, page=1)
    facets = {name: {value.code: value.count for value in values} for name, values in result.facets.items()}
    assert result.total == 2 and result.ranked
    assert facets["topic"] == {"ecology": 2, "health": 2}
    assert facets["status"] == {"new": 1, "in_work": 1}


def test_facet_labels_follow_a_renamed_topic():
    ecology = Topic.objects.get(code="ecology")
    IssueFactory(title="Қоқыс").topics.add(ecology)
    issue_search(query="қоқыс", filters=IssueFilters(), user=None, page=1)
    ecology.name_kk = ecology.name_ru = ecology.name_en = "Қоршаған орта (жаңа)"
    ecology.save()
    (value,) = issue_search(query="қоқыс", filters=IssueFilters(), user=None, page=1).facets["topic"]
    assert value.code == "ecology" and value.label == "Қоршаған орта (жаңа)"


def test_ranked_pages_follow_the_relevance_order():
    IssueFactory(title="Жол", description="Жол жол жол жол.")
    IssueFactory(title="Жол жөндеу", description="Жол.")
    IssueFactory(title="Мектеп", description="Мектепке апаратын жол.")
    first = issue_search(query="жол", filters=IssueFilters(), user=None, page=1, per_page=2)
    second = issue_search(query="жол", filters=IssueFilters(), user=None, page=2, per_page=2)
    assert first.ranked and second.ranked
    titles = [hit.issue.title for hit in first.hits + second.hits]
    assert titles[0] == "Жол" and sorted(titles) == ["Жол", "Жол жөндеу", "Мектеп"]
    ranks = [hit.rank for hit in first.hits + second.hits]
    assert ranks == sorted(ranks, reverse=True)


def test_best_match_comes_first():
    IssueFactory(title="Жол", description="Ауыл жолы жөнделмеген, жол бойы шұңқыр, жолда жарық жоқ.")
    IssueFactory(title="Мектеп", description="Мектепке апаратын жол.")
    result = issue_search(query="жол", filters=IssueFilters(), user=None, page=1)
    assert result.ranked
    assert [hit.issue.title for hit in result.hits] == ["Жол", "Мектеп"]


def test_a_very_broad_query_lists_newest_first_and_says_so(monkeypatch):
    monkeypatch.setattr(issues_search, "RANK_LIMIT", 1)
    IssueFactory(
        title="Жол", description="Жол жол жол.", created_at=timezone.make_aware(datetime(2026, 1, 1))
    )
    IssueFactory(title="Мектеп", description="Жол.", created_at=timezone.make_aware(datetime(2026, 2, 1)))
    result = issue_search(query="жол", filters=IssueFilters(), user=None, page=1)
    assert not result.ranked
    assert [hit.issue.title for hit in result.hits] == ["Мектеп", "Жол"]


def test_facets_of_a_large_result_are_estimated_and_say_so(monkeypatch):
    monkeypatch.setattr(issues_search, "FACET_SAMPLE", 2)
    for _ in range(4):
        IssueFactory(title="Қоқыс")
    result = issue_search(query="қоқыс", filters=IssueFilters(), user=None, page=1)
    # The size of a large result is the planner's estimate on PostgreSQL, counted on SQLite.
    assert result.total > 2
    assert result.total_estimated == (connection.vendor == "postgresql")
    assert result.total == 4 or connection.vendor == "postgresql"
    assert result.facets_estimated
    (new,) = result.facets["status"]
    assert new.code == "new" and new.count == result.total


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        "'; DROP TABLE issues_issue; --",
        "a AND OR",
        "NEAR(",
        "*",
        ":*",
        "&|!",
        "\x00",
        "😀😀",
        "қ" * 10_000,
    ],
)
def test_hostile_queries_give_an_empty_result(hostile):
    IssueFactory(title="Су")
    result = issue_search(query=hostile, filters=IssueFilters(), user=None, page=1)
    assert result.hits == [] and result.total == 0


def test_query_of_symbols_only_is_reported_as_empty():
    IssueFactory(title="Су")
    result = issue_search(query="😀 !!!", filters=IssueFilters(), user=None, page=1)
    assert result.empty_query and result.total == 0


def test_hits_are_highlighted_and_escaped():
    IssueFactory(title="<script>x</script> жұмыссыздық", description="Ауылда <b>жұмыссыздығы</b> өсті.")
    (hit,) = issue_search(query="jumyssyzdyq", filters=IssueFilters(), user=None, page=1).hits
    assert "<script>" not in hit.title_html and "<mark>жұмыссыздық</mark>" in hit.title_html
    assert "<mark>жұмыссыздығы</mark>" in hit.snippet_html and "&lt;b&gt;" in hit.snippet_html
    assert [hit.snippet[start:end] for start, end in hit.highlights] == ["жұмыссыздығы"]


def test_query_count_does_not_grow_with_rows():
    ecology = Topic.objects.get(code="ecology")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            result = issue_search(query="қоқыс", filters=IssueFilters(topic="ecology"), user=None, page=1)
            shown = [  # everything a hit shows, on the page and in the API
                (
                    *(hit.issue.title, hit.issue.description, hit.issue.language, hit.issue.created_at),
                    *(hit.issue.get_status_display(), hit.issue.region.code, hit.issue.region.name),
                    *(
                        hit.issue.council.code,
                        hit.issue.council.name,
                        hit.issue.topic_list,
                        hit.issue.group_list,
                    ),
                )
                for hit in result.hits
            ]
            assert shown
        return len(captured)

    IssueFactory(title="Қоқыс").topics.add(ecology)
    queries()  # reads the reference data (regions, topics, groups) once per process
    few = queries()
    for _ in range(8):
        IssueFactory(title="Қоқыс", council=LocalCouncilFactory()).topics.add(ecology)
    assert queries() == few


def test_hits_carry_their_topics_and_groups_sorted():
    ecology, employment = Topic.objects.get(code="ecology"), Topic.objects.get(code="employment")
    group = VulnerableGroup.objects.order_by("code").first()
    issue = IssueFactory(title="Қоқыс")
    issue.topics.set([employment, ecology])
    issue.groups.add(group)
    other = IssueFactory(title="Қоқыс жағасында")
    (first, second) = sorted(
        issue_search(query="қоқыс", filters=IssueFilters()).hits, key=lambda hit: hit.issue.pk
    )
    assert [topic.code for topic in first.issue.topic_list] == ["ecology", "employment"]
    assert [row.code for row in first.issue.group_list] == [group.code]
    assert (second.issue.pk, second.issue.topic_list, second.issue.group_list) == (other.pk, [], [])
    issue.topics.remove(ecology)
    (hit,) = issue_search(query="қоқыс", filters=IssueFilters(topic="employment")).hits
    assert [topic.code for topic in hit.issue.topic_list] == ["employment"]


def test_pages():
    for number in range(5):
        IssueFactory(title=f"Жол {number}")
    result = issue_search(query="жол", filters=IssueFilters(), user=None, page=2, per_page=2)
    assert result.total == 5 and result.pages == 3 and len(result.hits) == 2
    assert issue_search(query="жол", filters=IssueFilters(), user=None, page=99, per_page=2).hits == []


def test_site_search_finds_issues():
    issue = IssueFactory(title="Жұмыссыздық ауылда")
    IssueFactory(title="Жабық жұмыссыздық", status=Issue.Status.PENDING)
    hits = [hit for hit in site_search("jumyssyzdyq") if hit.url.startswith("/issues/")]
    assert [(hit.title, hit.url) for hit in hits] == [("Жұмыссыздық ауылда", f"/issues/{issue.pk}/")]


# --- /api/v1/search ------------------------------------------------------------------------------


def test_api_returns_hits_facets_and_total(client):
    issue = IssueFactory(title="Жұмыссыздыққа қарсы", description="Ауылда жұмыссыздығы жоғары.")
    issue.topics.add(Topic.objects.get(code="employment"))
    response = client.get("/api/v1/search", {"q": "jumyssyzdyq", "topic": "employment"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1 and body["pages"] == 1
    (hit,) = body["hits"]
    assert hit["id"] == issue.pk and hit["topics"] == ["employment"] and hit["url"] == f"/issues/{issue.pk}/"
    assert [hit["snippet"][start:end] for start, end in hit["highlights"]] == ["жұмыссыздығы"]
    assert [hit["title"][start:end] for start, end in hit["title_highlights"]] == ["Жұмыссыздыққа"]
    assert body["facets"]["topic"][0]["code"] == "employment" and body["facets"]["topic"][0]["count"] == 1


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"date_from": "1900-01-01"}, 400),
        ({"date_from": "2026-05-01", "date_to": "2026-01-01"}, 400),
        ({"region": "99"}, 404),
        ({"council": "no-such-council"}, 404),
        ({"status": "nonsense"}, 422),
        ({"page": "0"}, 422),
        ({"page_size": "1000"}, 422),
        ({"region": "7\x00"}, 422),
        ({"q": "\x00"}, 200),
        ({"q": "😀"}, 200),
        ({"q": "'\"*:&|!"}, 200),
    ],
)
def test_api_bad_parameters_are_client_errors(client, params, status):
    assert client.get("/api/v1/search", params).status_code == status


def test_api_is_in_the_openapi_document(client):
    assert "/api/v1/search" in client.get("/api/v1/openapi.json").json()["paths"]
