"""Demo councils: one beside every central body, every regional akimat and every district akimat.

National scale gives about 260 councils and 4,000 members with Kazakh and Russian names; a few
councils are deliberately out of compliance and some terms expire soon, so later features have
something to show.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from kenes.core.audit import log_action
from kenes.core.demo import DemoContext, demo_step, demo_user
from kenes.core.models import District, Region, Role, StateBody, Topic
from kenes.core.naming import council_names
from kenes.core.reference import read_data
from kenes.core.services import role_grant

from .models import DEFAULT_SIZE_LIMITS, Commission, Council, Membership, Person, ngo_key

SECTORS = [
    (Membership.Sector.NGO, 45),
    (Membership.Sector.BUSINESS, 15),
    (Membership.Sector.ACADEMIA, 15),
    (Membership.Sector.MEDIA, 8),
    (Membership.Sector.CITIZEN, 10),
    (Membership.Sector.STATE, 7),
]
COMMISSIONS = [
    "Әлеуметтік осал топтар жөніндегі комиссия",
    "Бюджет және қоғамдық бақылау жөніндегі комиссия",
    "Жастар саясаты жөніндегі комиссия",
    "Комиссия по общественному контролю и мониторингу",
    "Комиссия по вопросам экологии и благоустройства",
    "Комиссия по правам людей с инвалидностью",
]
SHOWCASE_BODY = "min-health"
BODY_TOPICS = {
    "min-health": ["health"],
    "min-labour": ["employment", "social-protection"],
    "min-ecology": ["ecology"],
    "min-enlightenment": ["education", "youth"],
    "min-science-higher-ed": ["education", "youth"],
    "min-agriculture": ["agriculture"],
    "min-water": ["water-resources", "agriculture"],
    "min-transport": ["transport-roads"],
    "min-industry-construction": ["housing-utilities", "urban-planning"],
    "min-energy": ["housing-utilities"],
    "min-ai-digital": ["digitalisation"],
    "min-finance": ["budget-finance"],
    "min-national-economy": ["budget-finance", "entrepreneurship"],
    "min-trade-integration": ["entrepreneurship"],
    "min-culture-info": ["culture-sport", "languages"],
    "min-tourism-sport": ["culture-sport", "youth"],
    "min-internal-affairs": ["public-safety"],
    "min-emergency": ["public-safety"],
    "min-justice": ["anti-corruption"],
    "agency-anti-corruption": ["anti-corruption"],
}


class PersonFactory:
    """Realistic Kazakh (three in four) and Russian names from ``core/data/names.json``."""

    def __init__(self, context: DemoContext):
        self.rng = context.rng
        self.names = read_data("names")
        self.number = 0

    def build(self) -> Person:
        rng, self.number = self.rng, self.number + 1
        female = rng.random() < 0.5
        if rng.random() < 0.75:
            kazakh = self.names["kazakh"]
            index = rng.randrange(len(kazakh["surnames_male"]))
            last = kazakh["surnames_female" if female else "surnames_male"][index]
            first = rng.choice(kazakh["female_given" if female else "male_given"])
            patronymic = rng.choice(kazakh["patronymic_roots"]) + ("қызы" if female else "ұлы")
        else:
            russian = self.names["russian"]
            index = rng.randrange(len(russian["surnames_male"]))
            last = russian["surnames_female" if female else "surnames_male"][index]
            first = rng.choice(russian["female_given" if female else "male_given"])
            patronymic = rng.choice(russian["patronymics_female" if female else "patronymics_male"])
        return Person(
            last_name=last,
            first_name=first,
            patronymic=patronymic,
            public_profile=rng.random() < 0.85,
            email=f"person{self.number}@example.kz",
        )


def _pick_sector(rng) -> str:
    return rng.choices([s for s, _w in SECTORS], weights=[w for _s, w in SECTORS])[0]


def _council_specs(context: DemoContext) -> list[dict]:
    """Which councils to create, beside which bodies."""
    bodies = {b.code: b for b in StateBody.objects.all()}
    specs = []
    central = [
        b
        for b in bodies.values()
        if b.level == StateBody.Level.CENTRAL and b.kind != StateBody.Kind.COMMITTEE
    ]
    if not context.national:
        central = [
            b for b in central if b.code in {SHOWCASE_BODY, "min-labour", "min-ecology", "samruk-kazyna"}
        ]
    for body in sorted(central, key=lambda b: b.code):
        level = (
            Council.Level.QUASI_PUBLIC
            if body.kind == StateBody.Kind.QUASI_PUBLIC
            else Council.Level.REPUBLICAN
        )
        names = council_names(kk=body.name_kk, ru=body.name_ru, en=body.name_en, place=False)
        specs.append(
            {
                "code": f"pc-{body.code}",
                "level": level,
                "body": body,
                "region": None,
                "district": None,
                **names,
            }
        )
    regions = list(Region.objects.order_by("code"))
    if not context.national:
        regions = [r for r in regions if r.code in {"71", "35"}]
    for region in regions:
        names = council_names(
            kk=region.name_kk,
            ru=region.name_ru,
            en=region.name_en,
            place=True,
            is_city=region.kind == Region.Kind.CITY,
        )
        specs.append(
            {
                "code": f"pc-{region.code}",
                "level": Council.Level.LOCAL,
                "body": bodies[f"akimat-{region.code}"],
                "region": region,
                "district": None,
                **names,
            }
        )
        districts = (
            District.objects.filter(region=region).exclude(kind=District.Kind.CITY_DISTRICT).order_by("code")
        )
        if not context.national:
            districts = districts[:3]
        for district in districts:
            names = council_names(
                kk=district.name_kk,
                ru=district.name_ru,
                en=district.name_en,
                place=True,
                is_city=district.kind == District.Kind.CITY,
            )
            specs.append(
                {
                    "code": f"pc-{district.code}"[:80],
                    "level": Council.Level.LOCAL,
                    "body": bodies[f"akimat-{district.code}"[:64]],
                    "region": region,
                    "district": district,
                    **names,
                }
            )
    return specs


def _term(rng, today: date, *, expiring: bool, expired: bool = False) -> tuple[date, date]:
    if expired:
        end = today - timedelta(days=rng.randint(5, 60))
    elif expiring:
        end = today + timedelta(days=rng.randint(10, 55))
    else:
        end = today + timedelta(days=rng.randint(90, 3 * 365 - 30))
    return end - timedelta(days=3 * 365), end


@demo_step(order=20)
def councils(context: DemoContext) -> None:
    rng = context.rng
    today = timezone.localdate()
    factory = PersonFactory(context)
    topics = list(Topic.objects.order_by("code"))
    ngo_patterns = factory.names["ngo_patterns"]["ru"]
    specs = _council_specs(context)

    council_rows = []
    for number, spec in enumerate(specs):
        low, high = DEFAULT_SIZE_LIMITS[spec["level"]]
        start, end = _term(rng, today, expiring=number % 9 == 4, expired=number % 41 == 17)
        council_rows.append(
            Council(
                code=spec["code"],
                level=spec["level"],
                state_body=spec["body"],
                region=spec["region"],
                district=spec["district"],
                name_kk=spec["name_kk"],
                name_ru=spec["name_ru"],
                name_en=spec["name_en"],
                status=Council.Status.ACTIVE,
                established_on=date(2016 + rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28)),
                term_start=start,
                term_end=end,
                min_members=low,
                max_members=high,
                secretariat_email=f"{spec['code']}@kenes.kz",
                secretariat_phone=f"+7 7{rng.randint(10, 29)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            )
        )
    for council in council_rows:
        council.search_text = council.compute_search_text()
    created = Council.objects.bulk_create(council_rows)
    councils_by_code = {c.code: c for c in Council.objects.filter(code__in=[c.code for c in created])}

    people: list[Person] = []
    # (council, person index, role, sector, organisation, term start, term end)
    plans: list[tuple[Council, int, str, str, str, date, date]] = []
    for number, council in enumerate(councils_by_code.values()):
        low, high = council.min_members, council.max_members
        size = rng.randint(low, min(high, low + (10 if council.level != Council.Level.QUASI_PUBLIC else 4)))
        if number % 23 == 7:
            size = low - rng.randint(2, 4)  # too few members: a compliance finding
        used_ngos: set[str] = set()
        for seat in range(size):
            role = Membership.Role.MEMBER
            if seat == 0:
                role = Membership.Role.CHAIR
            elif seat == 1:
                role = Membership.Role.DEPUTY_CHAIR
            elif seat == 2:
                role = Membership.Role.SECRETARY
            sector = _pick_sector(rng) if seat else Membership.Sector.NGO
            if number % 31 == 11 and seat > size // 2:
                sector = Membership.Sector.STATE  # too many state representatives
            region_name = council.region.name_ru if council.region_id else "Казахстан"
            ngo = ""
            if sector == Membership.Sector.NGO:
                for _attempt in range(20):  # one representative per organisation, as the law wants
                    ngo = rng.choice(ngo_patterns).format(
                        topic=rng.choice(topics).name_ru, region=region_name
                    )
                    if ngo_key(ngo) not in used_ngos:
                        break
                used_ngos.add(ngo_key(ngo))
            if number % 29 == 3 and seat == 4 and plans[-1][4]:
                sector, ngo = Membership.Sector.NGO, plans[-1][4]  # two people from one NGO: a finding
            if people and rng.random() < 0.03:
                person_index = rng.randrange(len(people))  # sits on a second council
            else:
                person = factory.build()
                person.in_state_service = sector == Membership.Sector.STATE or (
                    seat == 0 and number % 37 == 5
                )
                person.organisation = ngo
                people.append(person)
                person_index = len(people) - 1
            plans.append((council, person_index, role, sector, ngo, council.term_start, council.term_end))

    Person.objects.bulk_create(people, batch_size=1000)
    memberships = [
        Membership(
            council=council,
            person=people[index],
            role=role,
            sector=sector,
            ngo_name=ngo,
            term_start=start,
            term_end=end,
        )
        for council, index, role, sector, ngo, start, end in plans
    ]
    for membership in memberships:
        membership.ngo_key = ngo_key(membership.ngo_name) if membership.ngo_name else ""
    Membership.objects.bulk_create(memberships, batch_size=1000)

    topics_by_code = {topic.code: topic for topic in topics}
    topic_links = []
    for council in councils_by_code.values():
        codes = BODY_TOPICS.get(council.state_body.code)
        chosen = [topics_by_code[c] for c in codes] if codes else rng.sample(topics, 3)
        topic_links += [Council.topics.through(council_id=council.pk, topic_id=topic.pk) for topic in chosen]
    Council.topics.through.objects.bulk_create(topic_links)

    by_council: dict[int, list[Membership]] = {}
    for membership in memberships:
        by_council.setdefault(membership.council_id, []).append(membership)
    for number, council in enumerate(councils_by_code.values()):
        if number % 5 == 0:
            for name in rng.sample(COMMISSIONS, rng.randint(1, 2)):
                commission = Commission.objects.create(council=council, name=name)
                seats = by_council.get(council.pk, [])
                commission.members.set(rng.sample(seats, min(len(seats), rng.randint(3, 5))))
        log_action(
            council,
            "councils.council.created",
            data={"after": {"code": council.code, "status": council.status}},
        )

    _showcase_accounts(context, councils_by_code[f"pc-{SHOWCASE_BODY}"])
    context.counts.update(councils=len(councils_by_code), people=len(people), memberships=len(memberships))


def _showcase_accounts(context: DemoContext, council: Council) -> None:
    """Sign-ins for the council roles and the state-body officer, on the Ministry of Health's council."""
    seats = {
        Role.COUNCIL_CHAIR: ("council_chair", "Гүлнар Серікқызы Омарова", Membership.Role.CHAIR, "kk"),
        Role.COUNCIL_SECRETARY: (
            "council_secretary",
            "Айгерім Нұрланқызы Бекова",
            Membership.Role.SECRETARY,
            "kk",
        ),
        Role.COUNCIL_MEMBER: ("council_member", "Дмитрий Сергеевич Ким", Membership.Role.MEMBER, "ru"),
    }
    for role, (key, full_name, seat_role, language) in seats.items():
        user = demo_user(context, key, full_name, language=language)
        last, first, patronymic = full_name.split(" ")[2], full_name.split(" ")[0], full_name.split(" ")[1]
        membership = council.memberships.filter(role=seat_role).select_related("person").first()
        if membership is None or seat_role == Membership.Role.MEMBER:
            person = Person.objects.create(
                last_name=last, first_name=first, patronymic=patronymic, public_profile=True
            )
            membership = Membership.objects.create(
                council=council,
                person=person,
                role=seat_role,
                sector=Membership.Sector.NGO,
                term_start=council.term_start,
                term_end=council.term_end,
            )
        person = membership.person
        person.last_name, person.first_name, person.patronymic, person.user = last, first, patronymic, user
        person.in_state_service = False
        person.save()
        role_grant(user=user, role=role, target=council, acting_user=None)
    officer = demo_user(context, "state_body_officer", "Марат Қайратұлы Жақыпов", language="ru")
    role_grant(user=officer, role=Role.STATE_BODY_OFFICER, target=council.state_body, acting_user=None)
