from django.urls import reverse
from django.utils.translation import gettext as _

from kenes.search.registry import Hit, matches

from .models import Council


def council_hits(query_terms: list[str]):
    for council in Council.objects.only("code", "name_kk", "name_ru", "name_en"):
        if matches(query_terms, council.name_kk, council.name_ru, council.name_en):
            yield Hit(_("Council"), council.name, reverse("councils:detail", args=[council.code]))
