"""A member types a problem in Kazakh, is offered its Russian twin from another region, marks it as
the same problem, and the national problem counts one more region."""

from __future__ import annotations

from django.db.models import Q

from kenes.core.models import Region, User
from kenes.councils.models import Council
from kenes.issues.models import Issue, Problem
from kenes.issues.similar import index_issues
from kenes.search.fulltext import document
from tests.e2e.conftest import axe_violations, screenshot
from tests.e2e.test_registry_import import sign_in

RUSSIAN_TWIN = (
    "Очередь к узким специалистам",
    "В районной поликлинике очередь к узким специалистам — кардиологу, эндокринологу — больше месяца.",
)
KAZAKH_TITLE = "Тар бейінді дәрігерлерге кезек"
KAZAKH_TEXT = "Емханада тар бейінді дәрігерлерге жазылу үшін бір айдан астам кезек күтуге тура келеді."


def test_member_marks_the_russian_twin_as_the_same_and_the_national_problem_grows(page, demo_site):
    home = Council.objects.get(code="pc-min-health")
    elsewhere = (
        Council.objects.filter(region__isnull=False).exclude(Q(region=home.region_id) | Q(pk=home.pk)).first()
    )
    problem = Problem.objects.create(title="Мамандарға кезек", status=Problem.Status.CONFIRMED)
    twin = Issue.objects.create(
        title=RUSSIAN_TWIN[0],
        description=RUSSIAN_TWIN[1],
        language="ru",
        council=elsewhere,
        region=elsewhere.region,
        source="council",
        problem=problem,
        search_document=document(*RUSSIAN_TWIN),
    )
    # The worker's job, done here: vectors for the twin and for other problems of the demo around it.
    others = list(
        Issue.objects.exclude(pk=twin.pk)
        .exclude(status__in=["pending", "spam"])
        .values_list("pk", flat=True)[:60]
    )
    index_issues([twin.pk, *others])
    regions_before = Region.objects.filter(issues__problem=problem).distinct().count()
    assert regions_before == 1

    # The demo member reads Russian; the test reads the English labels.
    User.objects.filter(email="council-member@demo.kenes.kz").update(preferred_language="en")
    sign_in(page, demo_site.url, "council-member@demo.kenes.kz")
    page.goto(f"{demo_site.url}/issues/council/{home.code}/new/")
    assert axe_violations(page) == []
    page.locator("#id_title").press_sequentially(KAZAKH_TITLE, delay=5)
    page.locator("#id_description").press_sequentially(KAZAKH_TEXT, delay=5)
    suggestion = page.locator("#similar-results li", has_text=RUSSIAN_TWIN[0])
    suggestion.wait_for()
    screenshot(page, "issue-similar-while-typing")
    suggestion.get_by_label("This is the same problem").check()
    # A republican council names the region where the problem is.
    where = Region.objects.exclude(pk=elsewhere.region_id).order_by("code").first()
    page.locator("#id_region").select_option(str(where.pk))
    page.get_by_role("button", name="File the problem").click()
    page.wait_for_url("**/issues/*/")
    filed = Issue.objects.get(title=KAZAKH_TITLE)
    assert filed.problem == problem
    assert page.locator("main").get_by_text(problem.title).count() >= 1

    page.goto(f"{demo_site.url}/problems/{problem.pk}/")
    assert page.locator("#region-count").inner_text().strip() == "2"
    assert page.locator("#issue-count").inner_text().strip() == "2"
    assert axe_violations(page) == []
