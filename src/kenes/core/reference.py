"""Load Kazakhstan's reference data from ``core/data/*.json`` into the database.

Idempotent: rows are matched on their stable codes, so running it again changes nothing unless the
files changed, and then only the changed rows (each change audited). Akimats are derived from the
regions and districts, never typed twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.utils.text import slugify

from .audit import field_changes, log_action
from .models import District, FormerName, Region, StateBody, Topic, VulnerableGroup
from .naming import akimat_names

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_data(name: str):
    with open(DATA_DIR / f"{name}.json", encoding="utf-8") as handle:
        return json.load(handle)


def district_code(region_code: str, name_en: str) -> str:
    return f"{region_code}-{slugify(name_en)}"[:64]


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.changed[kind] = self.changed.get(kind, 0) + 1

    @property
    def untouched(self) -> bool:
        return not self.created and not self.changed


def _plain(model, values: dict) -> dict:
    """Values keyed by column (``region_id``), related rows replaced by their keys."""
    plain = {}
    for key, value in values.items():
        attname = model._meta.get_field(key).attname
        plain[attname] = value.pk if isinstance(value, Model) else value
    return plain


def _upsert(model, report: LoadReport, *, code: str, values: dict):
    """Create or update one row by code; audit what was created or changed."""
    obj = model.all_objects.filter(code=code).first()
    after = _plain(model, values)
    if obj is None:
        obj = model.all_objects.create(code=code, **after)
        log_action(obj, "core.reference.loaded", data={"after": after | {"code": code}})
        report.count(model.__name__, created=True, changed=False)
        return obj
    before = {key: getattr(obj, key) for key in after}
    if before != after:
        for key, value in after.items():
            setattr(obj, key, value)
        obj.save(update_fields=list(after))
        log_action(obj, "core.reference.updated", data=field_changes(before, after))
        report.count(model.__name__, created=False, changed=True)
    return obj


def _sync_former_names(obj, entries: list[dict]) -> None:
    content_type = ContentType.objects.get_for_model(obj)
    existing = set(
        FormerName.objects.filter(content_type=content_type, object_id=obj.pk).values_list(
            "name_ru", flat=True
        )
    )
    for entry in entries:
        if entry["ru"] in existing:
            continue
        FormerName.objects.create(
            content_type=content_type,
            object_id=obj.pk,
            name_kk=entry["kk"],
            name_ru=entry["ru"],
            name_en=entry["en"],
            valid_from=date.fromisoformat(entry["valid_from"]) if entry.get("valid_from") else None,
            valid_to=date.fromisoformat(entry["valid_to"]) if entry.get("valid_to") else None,
        )


def _names(entry: dict) -> dict[str, str]:
    return {"name_kk": entry["kk"], "name_ru": entry["ru"], "name_en": entry["en"]}


@transaction.atomic
def load_reference() -> LoadReport:
    """Load or refresh all reference data in one transaction; returns what was created or changed."""
    report = LoadReport()
    regions: dict[str, Region] = {}
    for entry in read_data("regions"):
        centre = entry.get("centre") or {}
        region = _upsert(
            Region,
            report,
            code=entry["code"],
            values={
                **_names(entry),
                "iso_code": entry["iso"],
                "kind": entry["kind"],
                "centre_kk": centre.get("kk", ""),
                "centre_ru": centre.get("ru", ""),
                "centre_en": centre.get("en", ""),
            },
        )
        _sync_former_names(region, entry.get("aliases", []))
        regions[region.code] = region
        _upsert(
            StateBody,
            report,
            code=f"akimat-{region.code}",
            values={
                **akimat_names(
                    kk=entry["kk"], ru=entry["ru"], en=entry["en"], is_city=entry["kind"] == "city"
                ),
                "kind": StateBody.Kind.AKIMAT,
                "level": StateBody.Level.REGIONAL,
                "region": region,
                "district": None,
                "parent": None,
            },
        )

    for entry in read_data("districts"):
        region = regions[entry["region"]]
        code = district_code(region.code, entry["en"])
        district = _upsert(
            District, report, code=code, values={**_names(entry), "region": region, "kind": entry["kind"]}
        )
        _upsert(
            StateBody,
            report,
            code=f"akimat-{code}"[:64],
            values={
                **akimat_names(
                    kk=entry["kk"], ru=entry["ru"], en=entry["en"], is_city=entry["kind"] == "city"
                ),
                "kind": StateBody.Kind.AKIMAT,
                "level": StateBody.Level.LOCAL,
                "region": region,
                "district": district,
                "parent": None,
            },
        )

    bodies = read_data("state_bodies")
    loaded: dict[str, StateBody] = {}
    for entry in bodies:
        body = _upsert(
            StateBody,
            report,
            code=entry["code"],
            values={
                **_names(entry),
                "kind": entry["kind"],
                "level": entry["level"],
                "region": None,
                "district": None,
            },
        )
        _sync_former_names(body, entry.get("former_names", []))
        loaded[body.code] = body
    for entry in bodies:
        if entry.get("parent"):
            _upsert(StateBody, report, code=entry["code"], values={"parent": loaded[entry["parent"]]})

    for model, name in ((Topic, "topics"), (VulnerableGroup, "vulnerable_groups")):
        for entry in read_data(name):
            _upsert(model, report, code=entry["code"], values=_names(entry))
    return report
