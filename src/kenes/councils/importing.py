"""Import of the registry from XLSX or CSV: councils, and members of councils.

A file is first *planned*: every row is matched on stable keys (a council's code; a person's
e-mail, or their full name within the council) and classified as create, change, unchanged or
rejected with its line, column and a translated reason. Nothing is written then. Applying
re-plans against the database as it is now and writes everything in one transaction — or nothing,
if any row is rejected — so a partly bad file never half-applies and re-importing the same file
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.core.audit import log_actions
from kenes.core.models import District, Region, StateBody, Topic, User
from kenes.core.tabular import (
    Table,
    TableError,
    normalise_header,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    read_table,
)
from kenes.search.normalise import normalise

from .models import DEFAULT_SIZE_LIMITS, Council, ImportJob, Membership, Person, ngo_key

PROGRESS_EVERY = 250


def max_bytes() -> int:
    return int(getattr(settings, "KENES_IMPORT_MAX_BYTES", 5 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "KENES_IMPORT_MAX_ROWS", 50_000))


# --- Columns --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    aliases: tuple[str, ...]
    required: bool = False


def _choice_parser(model_choices, extra: dict[str, str]):
    """Parse a choice written in any of the three languages; the error lists the labels."""
    table = _choices(model_choices, extra)
    labels = [str(label) for _value, label in model_choices]

    def parse(text: str) -> str:
        try:
            return parse_choice(text, table)
        except ValueError as error:
            raise ValueError(
                _("«%(value)s» is not accepted here: use one of %(choices)s.")
                % {"value": text, "choices": ", ".join(labels)}
            ) from error

    return parse


def _choices(model_choices, extra: dict[str, str]) -> dict[str, str]:
    """Accepted spellings of each stored value: the value, its labels in kk/ru/en, and ``extra``."""
    from django.utils import translation

    table = {}
    for value, label in model_choices:
        spellings = {value, value.replace("_", " ")}
        for language in ("kk", "ru", "en"):
            with translation.override(language):
                spellings.add(str(label))
        spellings.update(extra.get(value, "").split("|"))
        table[value] = "|".join(sorted(s for s in spellings if s))
    return table


ROLE_SPELLINGS = {
    "chair": "председатель|төраға|chairman|chairperson",
    "deputy_chair": "заместитель председателя|зампред|төрағаның орынбасары|deputy|vice-chair",
    "secretary": "секретарь|хатшы",
    "member": "член|член совета|мүше|кеңес мүшесі",
}
SECTOR_SPELLINGS = {
    "ngo": "нпо|нко|үеұ|ҮЕҰ|общественная организация|қоғамдық ұйым|ngo",
    "business": "бизнес|предприниматель|кәсіпкер",
    "academia": "наука|ғылым|академия|science",
    "media": "сми|бақ|журналист|медиа",
    "citizen": "гражданин|азамат|житель",
    "state": "государственный орган|госорган|мемлекеттік орган|state body|government",
}

MEMBER_COLUMNS = [
    Column(
        "council",
        gettext_lazy("council code"),
        ("council", "council code", "кеңес", "кеңес коды", "совет", "код совета"),
    ),
    Column("last_name", gettext_lazy("surname"), ("surname", "last name", "тегі", "фамилия"), required=True),
    Column(
        "first_name",
        gettext_lazy("given name"),
        ("given name", "first name", "name", "аты", "имя"),
        required=True,
    ),
    Column("patronymic", gettext_lazy("patronymic"), ("patronymic", "әкесінің аты", "отчество")),
    Column("role", gettext_lazy("role"), ("role", "рөлі", "рөл", "роль", "должность в совете")),
    Column("sector", gettext_lazy("sector"), ("sector", "сектор")),
    Column(
        "ngo_name",
        gettext_lazy("organisation represented"),
        (
            "organisation represented",
            "ngo",
            "ұйым",
            "өкілдік ететін ұйым",
            "организация",
            "представляемая организация",
        ),
    ),
    Column(
        "organisation",
        gettext_lazy("organisation"),
        ("organisation", "workplace", "жұмыс орны", "место работы"),
    ),
    Column("position", gettext_lazy("position"), ("position", "лауазымы", "должность")),
    Column(
        "term_start",
        gettext_lazy("term starts"),
        ("term starts", "term start", "өкілеттік басталуы", "басталуы", "начало полномочий", "начало"),
        required=True,
    ),
    Column(
        "term_end",
        gettext_lazy("term ends"),
        ("term ends", "term end", "өкілеттік аяқталуы", "аяқталуы", "окончание полномочий", "окончание"),
    ),
    Column(
        "email",
        gettext_lazy("e-mail"),
        ("e-mail", "email", "электрондық пошта", "эл. почта", "электронная почта"),
    ),
    Column("phone", gettext_lazy("phone"), ("phone", "телефон")),
    Column(
        "in_state_service",
        gettext_lazy("in state service"),
        ("in state service", "мемлекеттік қызметте", "мемлекеттік қызметші", "госслужащий", "на госслужбе"),
    ),
    Column(
        "public_profile",
        gettext_lazy("public profile"),
        ("public profile", "consent", "жариялауға келісім", "келісім", "согласие на публикацию", "согласие"),
    ),
    Column("ceased_on", gettext_lazy("ceased on"), ("ceased on", "мүшелігі тоқтатылды", "прекращено")),
    Column(
        "ceased_reason",
        gettext_lazy("reason membership ceased"),
        ("reason ceased", "reason membership ceased", "себебі", "причина"),
    ),
]

COUNCIL_COLUMNS = [
    Column("code", gettext_lazy("code"), ("code", "council code", "коды", "код"), required=True),
    Column(
        "name_kk",
        gettext_lazy("name in Kazakh"),
        ("name in kazakh", "name_kk", "атауы (қаз)", "атауы", "наименование на казахском"),
        required=True,
    ),
    Column(
        "name_ru",
        gettext_lazy("name in Russian"),
        ("name in russian", "name_ru", "атауы (орыс)", "наименование"),
        required=True,
    ),
    Column(
        "name_en",
        gettext_lazy("name in English"),
        ("name in english", "name_en", "атауы (ағыл)", "наименование на английском"),
    ),
    Column("level", gettext_lazy("level"), ("level", "деңгейі", "уровень"), required=True),
    Column(
        "state_body",
        gettext_lazy("state body code"),
        ("state body", "state body code", "мемлекеттік орган", "госорган", "код госоргана"),
        required=True,
    ),
    Column(
        "region", gettext_lazy("region code"), ("region", "region code", "облыс", "өңір", "регион", "область")
    ),
    Column("district", gettext_lazy("district code"), ("district", "district code", "аудан", "район")),
    Column("status", gettext_lazy("status"), ("status", "мәртебесі", "статус")),
    Column("established_on", gettext_lazy("established"), ("established", "құрылған күні", "дата создания")),
    Column(
        "term_start",
        gettext_lazy("term starts"),
        ("term starts", "term start", "өкілеттік басталуы", "начало полномочий"),
    ),
    Column(
        "term_end",
        gettext_lazy("term ends"),
        ("term ends", "term end", "өкілеттік аяқталуы", "окончание полномочий"),
    ),
    Column(
        "min_members",
        gettext_lazy("minimum members"),
        ("minimum members", "min members", "ең аз мүше саны", "минимум членов"),
    ),
    Column(
        "max_members",
        gettext_lazy("maximum members"),
        ("maximum members", "max members", "ең көп мүше саны", "максимум членов"),
    ),
    Column(
        "secretariat_email",
        gettext_lazy("secretariat e-mail"),
        ("secretariat e-mail", "secretariat email", "хатшылық поштасы", "почта секретариата"),
    ),
    Column(
        "secretariat_phone",
        gettext_lazy("secretariat phone"),
        ("secretariat phone", "хатшылық телефоны", "телефон секретариата"),
    ),
    Column("topics", gettext_lazy("topics"), ("topics", "тақырыптар", "темы")),
]


def header_map(table: Table, columns: list[Column]) -> dict[str, str]:
    """Map the file's headers to column keys; a ``TableError`` names the missing required columns."""
    lookup = {}
    for column in columns:
        for alias in (column.key, str(column.label), *column.aliases):
            lookup.setdefault(normalise_header(alias), column.key)
    mapping = {header: lookup[header] for header in table.headers if header in lookup}
    present = set(mapping.values())
    missing = [str(column.label) for column in columns if column.required and column.key not in present]
    if missing:
        raise TableError(_("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)})
    return mapping


# --- Plans ----------------------------------------------------------------------------------------


@dataclass
class RowOutcome:
    line: int
    action: str  # create | change | unchanged | reject
    key: str = ""
    changes: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    def reject(self, column: object, message: str) -> None:
        self.action = "reject"
        self.errors.append({"column": str(column), "message": str(message)})

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "action": self.action,
            "key": self.key,
            "changes": self.changes,
            "errors": self.errors,
        }


@dataclass
class Plan:
    rows: list[RowOutcome] = field(default_factory=list)
    apply: Callable[[User | None], dict] | None = None

    @property
    def summary(self) -> dict[str, int]:
        counts = {"create": 0, "change": 0, "unchanged": 0, "reject": 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts


class Cells:
    """Read one row's cells by column key, recording parse errors on the outcome."""

    def __init__(
        self, values: dict[str, str], mapping: dict[str, str], columns: list[Column], outcome: RowOutcome
    ):
        self.values = {key: values.get(header, "") for header, key in mapping.items()}
        self.labels = {column.key: column.label for column in columns}
        self.outcome = outcome

    def text(self, key: str, *, required: bool = False, limit: int = 255) -> str:
        value = " ".join(self.values.get(key, "").split())
        if required and not value:
            self.outcome.reject(self.labels[key], _("This value is required."))
        elif len(value) > limit:
            self.outcome.reject(self.labels[key], _("Longer than %(limit)s characters.") % {"limit": limit})
            return value[:limit]
        return value

    def parsed(self, key: str, parser, *, required: bool = False, default=None, **options):
        raw = self.values.get(key, "").strip()
        if not raw:
            if required:
                self.outcome.reject(self.labels[key], _("This value is required."))
            return default
        try:
            return parser(raw, **options)
        except ValueError as error:
            self.outcome.reject(self.labels[key], str(error))
            return default

    def has(self, key: str) -> bool:
        return key in self.values

    def place(self, regions: dict, districts: dict) -> tuple:
        """(region, district) named by the ``region`` and ``district`` codes, either None when not
        given; an unknown code, or a district outside the region, refuses the row."""
        region_code, district_code = self.text("region"), self.text("district")
        region, district = regions.get(region_code), districts.get(district_code)
        if region_code and region is None:
            self.outcome.reject(
                _("region code"), _("No region has the code «%(code)s».") % {"code": region_code}
            )
        if district_code and district is None:
            self.outcome.reject(
                _("district code"), _("No district has the code «%(code)s».") % {"code": district_code}
            )
        if district and region and district.region_id != region.pk:
            self.outcome.reject(_("district code"), _("This district is not in the given region."))
        return region, district


def report_progress(job: ImportJob | None, done: int) -> None:
    if job is not None and done % PROGRESS_EVERY == 0:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done)


def _person_key(council_id: int, last: str, first: str, patronymic: str) -> tuple:
    return (council_id, normalise(f"{last} {first} {patronymic}"))


def plan_members(
    table: Table, *, acting_user: User | None, council: Council | None = None, job: ImportJob | None = None
) -> Plan:
    """Plan a members file; ``council`` is the default for rows without a council column."""
    mapping = header_map(table, MEMBER_COLUMNS)
    if "council" not in mapping.values() and council is None:
        raise TableError(_("Add a column with the council code."))

    codes = {
        row.values.get(h, "").strip() for h, k in mapping.items() if k == "council" for row in table.rows
    }
    councils = {
        c.code: c for c in Council.objects.filter(code__in=codes | ({council.code} if council else set()))
    }
    allowed = {
        code
        for code, c in councils.items()
        if acting_user is None or acting_user.has_perm("councils.import_members", c)
    }
    emails = {
        row.values.get(h, "").strip().lower()
        for h, k in mapping.items()
        if k == "email"
        for row in table.rows
    } - {""}
    people_by_email = {p.email.lower(): p for p in Person.objects.filter(email__in=emails)} if emails else {}
    existing = list(
        Membership.objects.filter(council__in=councils.values()).select_related("person").order_by("pk")
    )
    memberships_by_person = {(m.council_id, m.person_id): m for m in existing if m.ceased_on is None}
    people_by_name = {}
    for membership in existing:
        p = membership.person
        people_by_name.setdefault(
            _person_key(membership.council_id, p.last_name, p.first_name, p.patronymic), p
        )

    parse_role = _choice_parser(Membership.Role.choices, ROLE_SPELLINGS)
    parse_sector = _choice_parser(Membership.Sector.choices, SECTOR_SPELLINGS)
    plan = Plan()
    new_people: dict[tuple, Person] = {}
    seen: set[tuple] = set()
    to_create: list[tuple[Membership, Person]] = []
    to_update_people: dict[int, Person] = {}
    to_update_memberships: list[tuple[Membership, dict]] = []

    for done, row in enumerate(table.rows, start=1):
        report_progress(job, done)
        outcome = RowOutcome(line=row.line, action="unchanged")
        cells = Cells(row.values, mapping, MEMBER_COLUMNS, outcome)
        code = cells.text("council") or (council.code if council else "")
        target = councils.get(code)
        if target is None:
            outcome.reject(_("council code"), _("No council has the code «%(code)s».") % {"code": code})
        elif code not in allowed:
            outcome.reject(
                _("council code"), _("You may not change the council «%(code)s».") % {"code": code}
            )
        last = cells.text("last_name", required=True, limit=100)
        first = cells.text("first_name", required=True, limit=100)
        patronymic = cells.text("patronymic", limit=100)
        email = cells.text("email").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                outcome.reject(_("e-mail"), _("«%(value)s» is not an e-mail address.") % {"value": email})
        person_values = {
            "last_name": last,
            "first_name": first,
            "patronymic": patronymic,
            "organisation": cells.text("organisation"),
            "position": cells.text("position"),
            "phone": cells.text("phone", limit=40),
        }
        if email:
            person_values["email"] = email
        for flag in ("in_state_service", "public_profile"):
            if cells.has(flag):
                value = cells.parsed(flag, parse_bool)
                if value is not None:
                    person_values[flag] = value
        membership_values = {
            "role": cells.parsed("role", parse_role, default=Membership.Role.MEMBER),
            "sector": cells.parsed("sector", parse_sector, default=Membership.Sector.CITIZEN),
            "ngo_name": cells.text("ngo_name"),
            "term_start": cells.parsed("term_start", parse_date, required=True),
            "term_end": cells.parsed("term_end", parse_date),
        }
        ceased_on = cells.parsed("ceased_on", parse_date)
        ceased_reason = cells.text("ceased_reason")
        start, end = membership_values["term_start"], membership_values["term_end"]
        if start and end and end < start:
            outcome.reject(_("term ends"), _("The term ends before it starts."))
        if membership_values["sector"] == Membership.Sector.NGO and not membership_values["ngo_name"]:
            outcome.reject(_("organisation represented"), _("Name the organisation this member represents."))
        if ceased_on and not ceased_reason:
            outcome.reject(_("reason membership ceased"), _("Give the reason the membership ends."))
        if outcome.action == "reject":
            plan.rows.append(outcome)
            continue

        name_key = _person_key(target.pk, last, first, patronymic)
        person = people_by_email.get(email) if email else None
        person = (
            person or people_by_name.get(name_key) or new_people.get(("email", email) if email else name_key)
        )
        outcome.key = f"{code}: {last} {first} {patronymic}".strip()
        identity = (target.pk, person.pk if person and person.pk else id(person) if person else name_key)
        if identity in seen:
            outcome.reject(_("surname"), _("This person appears twice for the same council in the file."))
            plan.rows.append(outcome)
            continue
        seen.add(identity)

        if person is None:
            person = Person(**person_values)
            new_people[("email", email) if email else name_key] = person
            people_by_name[name_key] = person
            if email:
                people_by_email[email] = person
        elif person.pk:
            person_changes = {
                k: (getattr(person, k), v)
                for k, v in person_values.items()
                if getattr(person, k) != v and v != ""
            }
            if person_changes:
                for key, (_old, new) in person_changes.items():
                    setattr(person, key, new)
                to_update_people[person.pk] = person
                outcome.changes.update({k: [str(o), str(n)] for k, (o, n) in person_changes.items()})

        membership = memberships_by_person.get((target.pk, person.pk)) if person.pk else None
        if membership is None:
            membership = Membership(council=target, **membership_values)
            if ceased_on:
                membership.ceased_on, membership.ceased_reason = ceased_on, ceased_reason
            to_create.append((membership, person))
            outcome.action = "create"
        else:
            wanted = {**membership_values}
            if ceased_on:
                wanted.update(ceased_on=ceased_on, ceased_reason=ceased_reason)
            membership_changes = {
                k: (getattr(membership, k), v) for k, v in wanted.items() if getattr(membership, k) != v
            }
            if membership_changes:
                to_update_memberships.append(
                    (membership, {k: v for k, (_o, v) in membership_changes.items()})
                )
                outcome.changes.update(
                    {k: [_plain(o), _plain(n)] for k, (o, n) in membership_changes.items()}
                )
            if outcome.changes:
                outcome.action = "change"
        plan.rows.append(outcome)

    def apply(user: User | None) -> dict:
        people = list({id(p): p for _m, p in to_create if p.pk is None}.values())
        Person.objects.bulk_create(people, batch_size=1000)
        if to_update_people:
            Person.objects.bulk_update(
                list(to_update_people.values()),
                [
                    "last_name",
                    "first_name",
                    "patronymic",
                    "organisation",
                    "position",
                    "phone",
                    "email",
                    "in_state_service",
                    "public_profile",
                ],
                batch_size=1000,
            )
        created = []
        for membership, person in to_create:
            membership.person = person
            membership.ngo_key = (
                ngo_key(membership.ngo_name) if membership.sector == Membership.Sector.NGO else ""
            )
            created.append(membership)
        Membership.objects.bulk_create(created, batch_size=1000)
        changed = []
        for membership, values in to_update_memberships:
            for key, value in values.items():
                setattr(membership, key, value)
            membership.ngo_key = (
                ngo_key(membership.ngo_name) if membership.sector == Membership.Sector.NGO else ""
            )
            changed.append(membership)
        if changed:
            Membership.objects.bulk_update(
                changed,
                [
                    "role",
                    "sector",
                    "ngo_name",
                    "ngo_key",
                    "term_start",
                    "term_end",
                    "ceased_on",
                    "ceased_reason",
                ],
                batch_size=1000,
            )
        entries = [
            (
                m.council,
                "councils.membership.added",
                user,
                {"person": str(m.person), "after": {"role": m.role, "sector": m.sector}},
            )
            for m in created
        ]
        entries += [
            (
                m.council,
                "councils.membership.changed",
                user,
                {"person": str(m.person), "after": {k: _plain(v) for k, v in values.items()}},
            )
            for m, values in to_update_memberships
        ]
        entries += [
            (
                p,
                "councils.person.changed",
                user,
                {"after": {"last_name": p.last_name, "first_name": p.first_name}},
            )
            for p in to_update_people.values()
        ]
        log_actions(entries)
        return {"created": len(created), "changed": len(changed) + len(to_update_people)}

    plan.apply = apply
    return plan


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def plan_councils(table: Table, *, acting_user: User | None, job: ImportJob | None = None) -> Plan:
    """Plan a councils file (the coordination centre's): match on the council code."""
    if acting_user is not None and not acting_user.has_perm("councils.import_registry"):
        raise PermissionDenied
    mapping = header_map(table, COUNCIL_COLUMNS)
    bodies = {b.code: b for b in StateBody.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    districts = {d.code: d for d in District.objects.all()}
    topics = {t.code: t for t in Topic.objects.all()}
    existing = {c.code: c for c in Council.objects.prefetch_related("topics")}
    parse_level = _choice_parser(
        Council.Level.choices, {"republican": "республиканский|республикалық", "local": "местный|жергілікті"}
    )
    parse_status = _choice_parser(Council.Status.choices, {})
    plan = Plan()
    seen: set[str] = set()
    creates: list[tuple[Council, list[Topic]]] = []
    updates: list[tuple[Council, dict, list[Topic] | None]] = []

    for done, row in enumerate(table.rows, start=1):
        report_progress(job, done)
        outcome = RowOutcome(line=row.line, action="unchanged")
        cells = Cells(row.values, mapping, COUNCIL_COLUMNS, outcome)
        code = cells.text("code", required=True, limit=80)
        if code and code in seen:
            outcome.reject(_("code"), _("The code «%(code)s» appears twice in the file.") % {"code": code})
        seen.add(code)
        level = cells.parsed("level", parse_level, required=True)
        body_code = cells.text("state_body", required=True)
        body = bodies.get(body_code)
        if body_code and body is None:
            outcome.reject(
                _("state body code"), _("No state body has the code «%(code)s».") % {"code": body_code}
            )
        region, district = cells.place(regions, districts)
        low_default, high_default = DEFAULT_SIZE_LIMITS.get(level or "local", (10, 30))
        values = {
            "name_kk": cells.text("name_kk", required=True),
            "name_ru": cells.text("name_ru", required=True),
            "name_en": cells.text("name_en") or cells.text("name_ru"),
            "level": level,
            "state_body": body,
            "region": region or (district.region if district else None),
            "district": district,
            "status": cells.parsed("status", parse_status, default=Council.Status.ACTIVE),
            "established_on": cells.parsed("established_on", parse_date),
            "term_start": cells.parsed("term_start", parse_date),
            "term_end": cells.parsed("term_end", parse_date),
            "min_members": cells.parsed(
                "min_members", parse_int, default=low_default, minimum=1, maximum=200
            ),
            "max_members": cells.parsed(
                "max_members", parse_int, default=high_default, minimum=1, maximum=200
            ),
            "secretariat_email": cells.text("secretariat_email").lower(),
            "secretariat_phone": cells.text("secretariat_phone", limit=40),
        }
        if values["min_members"] and values["max_members"] and values["min_members"] > values["max_members"]:
            outcome.reject(_("maximum members"), _("The maximum cannot be below the minimum."))
        if values["term_start"] and values["term_end"] and values["term_end"] <= values["term_start"]:
            outcome.reject(_("term ends"), _("The term ends before it starts."))
        if values["secretariat_email"]:
            try:
                validate_email(values["secretariat_email"])
            except ValidationError:
                outcome.reject(
                    _("secretariat e-mail"),
                    _("«%(value)s» is not an e-mail address.") % {"value": values["secretariat_email"]},
                )
        topic_list = None
        if cells.has("topics"):
            topic_codes = [
                t.strip() for t in cells.text("topics", limit=2000).replace(",", ";").split(";") if t.strip()
            ]
            unknown = [t for t in topic_codes if t not in topics]
            if unknown:
                outcome.reject(
                    _("topics"), _("Unknown topic codes: %(codes)s.") % {"codes": ", ".join(unknown)}
                )
            topic_list = [topics[t] for t in topic_codes if t in topics]
        outcome.key = code
        if outcome.action == "reject":
            plan.rows.append(outcome)
            continue
        council = existing.get(code)
        if council is None:
            creates.append((Council(code=code, **values), topic_list or []))
            outcome.action = "create"
        else:
            changes = {k: v for k, v in values.items() if getattr(council, k) != v}
            topics_changed = topic_list is not None and sorted(
                t.code for t in council.topics.all()
            ) != sorted(t.code for t in topic_list)
            if changes or topics_changed:
                updates.append((council, changes, topic_list if topics_changed else None))
                outcome.action = "change"
                outcome.changes = {k: [_label(getattr(council, k)), _label(v)] for k, v in changes.items()}
                if topics_changed:
                    outcome.changes["topics"] = [
                        ", ".join(sorted(t.code for t in council.topics.all())),
                        ", ".join(sorted(t.code for t in topic_list)),
                    ]
        plan.rows.append(outcome)

    def apply(user: User | None) -> dict:
        entries = []
        for council, topic_list in creates:
            council.full_clean(exclude=["topics"])
            council.save()
            council.topics.set(topic_list)
            entries.append(
                (
                    council,
                    "councils.council.created",
                    user,
                    {"after": {"code": council.code, "name_ru": council.name_ru}},
                )
            )
        for council, changes, topic_list in updates:
            before = {k: _label(getattr(council, k)) for k in changes}
            for key, value in changes.items():
                setattr(council, key, value)
            council.full_clean(exclude=["topics"])
            council.save()
            if topic_list is not None:
                council.topics.set(topic_list)
            entries.append(
                (
                    council,
                    "councils.council.changed",
                    user,
                    {"before": before, "after": {k: _label(v) for k, v in changes.items()}},
                )
            )
        log_actions(entries)
        return {"created": len(creates), "changed": len(updates)}

    plan.apply = apply
    return plan


def _label(value):
    if hasattr(value, "code"):
        return value.code
    return _plain(value)


# --- Jobs -----------------------------------------------------------------------------------------


def _plan_for(job: ImportJob, *, record_progress: bool) -> Plan:
    job.file.open("rb")
    try:
        data = job.file.read()
    finally:
        job.file.close()
    table = read_table(data, max_bytes=max_bytes(), max_rows=max_rows())
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(table.rows))
    progress_job = job if record_progress else None
    if job.kind == ImportJob.Kind.COUNCILS:
        return plan_councils(table, acting_user=job.uploaded_by, job=progress_job)
    planner = PLANNERS.get(job.kind, plan_members)
    return planner(table, acting_user=job.uploaded_by, council=job.council, job=progress_job)


# Planners of the kinds that apps above this one import through the same jobs and pages (the issues
# app's ``issues``), registered from their ``AppConfig.ready``: kind -> planner(table, *, acting_user,
# council, job) -> Plan.
PLANNERS: dict[str, Callable[..., Plan]] = {}


def import_preview(job: ImportJob) -> ImportJob:
    """Read and plan the file of ``job``; store the preview. Runs on a worker."""
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PARSING)
    try:
        plan = _plan_for(job, record_progress=True)
    except TableError as error:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=str(error.message))
    except PermissionDenied:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=_("You do not have permission to import this file.")
        )
    else:
        rows = [row.as_dict() for row in plan.rows if row.action != "unchanged"]
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.READY,
            summary=plan.summary,
            rows=rows,
            processed_rows=len(plan.rows),
            total_rows=len(plan.rows),
        )
    job.refresh_from_db()
    return job


def import_apply(job: ImportJob) -> ImportJob:
    """Apply ``job`` in one transaction after planning it again against the current registry."""
    from kenes.core.audit import log_action

    try:
        with transaction.atomic():
            plan = _plan_for(job, record_progress=False)
            if plan.summary["reject"]:
                raise TableError(_("Some rows are refused; correct the file and upload it again."))
            result = plan.apply(job.uploaded_by)
            log_action(
                job,
                "councils.import.applied",
                actor=job.uploaded_by,
                data={"file": job.original_name, **result},
            )
    except (TableError, ValidationError) as error:
        message = error.message if isinstance(error, TableError) else "; ".join(error.messages)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=str(message))
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.APPLIED, applied_at=timezone.now(), summary={**plan.summary, **result}
        )
    job.refresh_from_db()
    return job
