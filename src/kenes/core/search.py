"""What the site search finds in reference data: regions (with former names), districts, bodies.

Reference data is a few hundred rows, so it is matched in memory on all three names.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from kenes.search.registry import Hit, matches

from .models import District, Region, StateBody
from .selectors import former_names_for


def _former(aliases) -> list[str]:
    return [name for alias in aliases for name in (alias.name_kk, alias.name_ru, alias.name_en)]


def reference_hits(query_terms: list[str]):
    regions = list(Region.objects.all())
    region_aliases = former_names_for(regions)
    for region in regions:
        names = (region.name_kk, region.name_ru, region.name_en, *_former(region_aliases.get(region.pk, [])))
        if matches(query_terms, *names):
            yield Hit(_("Region"), region.name, reverse("core:region_detail", args=[region.code]))
    for district in District.objects.select_related("region"):
        if matches(query_terms, district.name_kk, district.name_ru, district.name_en):
            url = reverse("core:region_detail", args=[district.region.code])
            yield Hit(_("District"), district.name, url, district.region.name)
    bodies = list(StateBody.objects.select_related("region"))
    body_aliases = former_names_for(bodies)
    for body in bodies:
        names = (body.name_kk, body.name_ru, body.name_en, *_former(body_aliases.get(body.pk, [])))
        if matches(query_terms, *names):
            yield Hit(_("State body"), body.name, "", body.region.name if body.region_id else "")
