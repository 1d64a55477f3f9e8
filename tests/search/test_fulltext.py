"""The full-text engine: one token form for every script and word form, on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kenes.issues.models import Issue
from kenes.search import fulltext
from kenes.search.fulltext import document, highlight, matching, parse_query, query_terms, snippet
from tests.factories import IssueFactory

UNEMPLOYMENT = "жумыссыз"


@pytest.mark.parametrize(
    "text",
    [
        "жұмыссыздық",
        "жұмыссыздығы",
        "жұмыссыздыққа",
        "ЖҰМЫССЫЗДЫҚ",
        "жумыссыздык",  # typed on a Russian keyboard
        "jumyssyzdyq",  # informal Latin
        "zhumyssyzdyk",
        "jūmyssyzdyq",  # 2021
        "jumyssyzdyǵy",  # 2018 acute
        "jumyssyzdyg'y",  # 2017 apostrophe
    ],
)
def test_every_script_and_form_of_a_word_gives_one_stem(text):
    assert query_terms(text) == [UNEMPLOYMENT]
    assert document(text) == UNEMPLOYMENT


def test_russian_and_english_words_are_stemmed():
    assert query_terms("отопление") == query_terms("отоплением") == query_terms("отопления")
    assert query_terms("heating") == query_terms("heated") == ["heat"]


def test_ambiguous_cyrillic_word_is_indexed_under_its_kazakh_and_russian_stems():
    # «бала» could be Russian (stem «бал») or Kazakh (the child): a text of either language meets it.
    assert parse_query("бала").groups == (("бала", "бал"),)
    assert "бала" in document("Балалар ойнайды").split()


def test_document_is_deterministic_and_holds_letters_and_digits_only():
    text = "Су құбыры 2024 жылы — «апат»! Don't <b>touch</b> the water's pipe."
    assert document(text) == document(text)
    assert all(token.isalnum() for token in document(text).split())


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        "'",
        '"unterminated',
        "a AND OR NOT",
        "NEAR(a b)",
        "*",
        "a*",
        ":",
        ":*",
        "&|!",
        "\x00",
        "x\x00y",
        "(",
        ")",
    ],
)
def test_hostile_query_never_produces_syntax(hostile):
    expression = parse_query(hostile)
    for stem in expression.stems:
        assert stem.isalnum()


@pytest.mark.parametrize("nothing", ["", "   ", "😀😀😀", "!!! ??? ...", "\x00", "— «» –"])
def test_query_without_words_is_empty(nothing):
    assert not parse_query(nothing)
    assert query_terms(nothing) == []


def test_very_long_query_is_cut():
    parsed = parse_query("мектеп " * 2000 + " ".join(f"сөз{n}" for n in range(100)))
    assert 0 < len(parsed.groups) <= fulltext.MAX_QUERY_WORDS


def test_last_word_is_a_prefix_only_while_typed():
    assert parse_query("жұмыссыз").prefix_last
    assert not parse_query("жұмыссыз ").prefix_last
    assert not parse_query("су").prefix_last  # too short: would expand to most of the index


def test_highlight_escapes_the_text_before_marking():
    html = highlight('<script>alert("жұмыссыздық")</script> жұмыссыздыққа қарсы', "jumyssyzdyq")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>жұмыссыздыққа</mark>" in html


def test_highlight_marks_word_forms_in_any_script():
    html = highlight("Jumyssyzdyq máselesi: жұмыссыздығы өсті", "жұмыссыздық")
    assert html.count("<mark>") == 2


def test_snippet_of_a_long_text_is_cut_around_the_first_match():
    text = "Алдымен ұзақ кіріспе. " * 40 + "Ауылда жылу жоқ, отопление не работает. " + "Соңы. " * 40
    excerpt, spans = snippet(text, "отопление", limit=120)
    assert len(excerpt) <= 125
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert [excerpt[start:end] for start, end in spans] == ["отопление"]


def test_snippet_without_match_starts_at_the_beginning():
    excerpt, spans = snippet("бір екі үш " * 100, "мектеп", limit=50)
    assert excerpt.startswith("бір") and spans == []


# --- Both databases -------------------------------------------------------------------------------


def _found(query, queryset=None):
    queryset = Issue.objects.all() if queryset is None else queryset
    return set(matching(queryset, query).values_list("title", flat=True))


@pytest.mark.django_db
def test_matching_finds_every_script_both_ways():
    IssueFactory(title="Ауылдағы жұмыссыздыққа қарсы шаралар", description="Жастар жұмыс таба алмайды.")
    IssueFactory(title="Jumyssyzdyq maselesi", description="Auyldarda jastar jumys tappaidy.")
    IssueFactory(title="Отопление в школе", description="Зимой школа без тепла.")
    both = {"Ауылдағы жұмыссыздыққа қарсы шаралар", "Jumyssyzdyq maselesi"}
    for query in [
        "жұмыссыздық",
        "jumyssyzdyq",
        "jūmyssyzdyq",
        "jumyssyzdyǵy",
        "jumyssyzdyg'y",
        "жумыссыздыгы",
    ]:
        assert _found(query) == both, query
    assert _found("отоплением") == {"Отопление в школе"}


@pytest.mark.django_db
def test_matching_requires_every_word_and_ranks_better_matches_first():
    IssueFactory(title="Мектеп жолы", description="Мектепке баратын жол жөнделмеген, мектеп алыс.")
    IssueFactory(title="Жол жөндеу", description="Ауыл жолы.")
    assert _found("мектеп жол") == {"Мектеп жолы"}
    ranked = list(matching(Issue.objects.all(), "жол").order_by("-rank").values_list("title", flat=True))
    assert ranked == ["Мектеп жолы", "Жол жөндеу"] or set(ranked) == {"Мектеп жолы", "Жол жөндеу"}
    assert all(
        rank is not None for rank in matching(Issue.objects.all(), "жол").values_list("rank", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile",
    ['"', "'", '"unterminated', "a AND OR NOT", "NEAR(a b)", "*", ":*", "&|!", "x\x00y", "😀", "а" * 10_000],
)
def test_hostile_queries_run_on_the_database(hostile):
    IssueFactory(title="Су", description="Су жоқ.")
    assert _found(hostile) == set()


@pytest.mark.django_db
def test_typing_the_start_of_a_word_finds_it():
    IssueFactory(title="Жұмыссыздық", description="")
    assert _found("жұмыссыз") == {"Жұмыссыздық"}
    assert _found("жұмыссыз ") == {"Жұмыссыздық"}  # the stem itself
    assert _found("жұмыс ") == set()


@pytest.mark.django_db
def test_the_last_word_stays_a_prefix_only_while_no_document_holds_it(monkeypatch):
    IssueFactory(title="Мектеп", description="")
    assert fulltext.finished_words(Issue, parse_query("мект")).prefix_last
    assert not fulltext.finished_words(Issue, parse_query("мектеп")).prefix_last
    assert fulltext.finished_words(Issue, parse_query("ауруха")).prefix_last
    # On PostgreSQL a lexeme among the most common of the statistics is known without a lookup.
    common = dict.fromkeys(parse_query("ауруха").groups[-1], 0.1)
    monkeypatch.setattr(fulltext, "_lexeme_frequencies", lambda table, column: (common, 0.01))
    with CaptureQueriesContext(connection) as queries:
        finished = fulltext.finished_words(Issue, parse_query("ауруха"))
    if connection.vendor == "postgresql":
        assert not finished.prefix_last and len(queries) == 0
    else:
        assert finished.prefix_last and len(queries) == 1


@pytest.mark.django_db
def test_a_broad_last_word_prefix_finds_the_same_rows(monkeypatch):
    """PostgreSQL leaves a broad prefix out of the index scan and checks it as a filter: same rows."""
    IssueFactory(title="Аральский районный центр", description="")
    IssueFactory(title="Аральский порт", description="")
    IssueFactory(title="Районная больница", description="")
    expected = {"Аральский районный центр"}
    assert _found("аральский район") == expected
    assert not fulltext._prefix_is_broad("issues_issue", "search_document", parse_query("район"))
    monkeypatch.setattr(fulltext, "_lexeme_frequencies", lambda table, column: ({"раион": 0.5}, 0.01))
    parsed = parse_query("аральский район")
    assert fulltext._prefix_is_broad("issues_issue", "search_document", parsed)
    # The share of the rarest group: «аральский», too rare to be listed, is half the floor.
    assert fulltext.estimated_share(Issue, parsed) == 0.005
    assert fulltext.estimated_share(Issue, parsed, independent=True) == 0.0025  # as the planner has it
    assert fulltext.estimated_share(Issue, parse_query("район")) == 0.5
    assert _found("аральский район") == expected
    assert _found("аральский районный") == expected
    if connection.vendor == "postgresql":
        sql = str(matching(Issue.objects.all(), parsed, rank=False).query)
        assert "ts_match_vq" in sql


@pytest.mark.django_db
def test_lexeme_frequencies_come_from_the_statistics():
    if connection.vendor != "postgresql":
        pytest.skip("pg_stats is PostgreSQL's")
    # (No ANALYZE here: its row count outlives the test's rollback and would mislead the planner.)
    fulltext._stats_cache.clear()
    frequencies, floor = fulltext._lexeme_frequencies("issues_issue", "search_document")
    assert all(0 <= share <= 1 for share in frequencies.values()) and floor >= 0
    fulltext._stats_cache.clear()


@pytest.mark.django_db
def test_index_follows_updates_and_deletes():
    issue = IssueFactory(title="Көпір", description="")
    assert _found("көпір") == {"Көпір"}
    issue.title = "Жол"
    issue.search_document = document(issue.title)
    issue.save()
    assert _found("көпір") == set()
    assert _found("жол") == {"Жол"}
    # Straight in SQL: the database keeps the index, whatever deletes the row.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM issues_issue WHERE id = %s", [issue.pk])
    assert _found("жол") == set()


@pytest.mark.django_db
def test_postgresql_query_uses_the_gin_index():
    if connection.vendor != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's")
    IssueFactory(title="Жол", description="")
    # (Unordered: with the model's newest-first order a planner that thinks the table tiny may walk
    # the date index instead.)
    queryset = matching(Issue.objects.order_by(), "жол", rank=False)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "issues_issue_search_document_fts" in plan, plan


@pytest.mark.django_db
def test_postgresql_keeps_one_full_text_index_and_no_trigram_index():
    """The GIN index of the stored tsvector is the only text index (issues 0004 dropped pg_trgm's)."""
    if connection.vendor != "postgresql":
        pytest.skip("GIN indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'issues_issue'")
        names = {row[0] for row in cursor.fetchall()}
    assert "issues_issue_search_document_fts" in names
    assert "issues_issue_search_document_trgm" not in names


@pytest.mark.django_db
def test_sqlite_triggers_come_back_after_migrate():
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 triggers are SQLite's")
    with connection.cursor() as cursor:
        cursor.execute('DROP TRIGGER "issues_issue_fts_ai"')
    fulltext._restore_sqlite_triggers(using="default")
    IssueFactory(title="Көпір", description="")
    assert _found("көпір") == {"Көпір"}


def test_operation_sql_runs_backwards():
    operation = fulltext.CreateFullTextIndex(table="issues_issue", column="search_document")
    assert operation.deconstruct() == (
        "CreateFullTextIndex",
        [],
        {"table": "issues_issue", "column": "search_document"},
    )
    for vendor in ("sqlite", "postgresql"):
        assert operation.forwards_sql(vendor) and operation.backwards_sql(vendor)
