"""Demo meetings: the three national cadences of the 2021 proposal and every council's quarterly
sittings for a year, with attendance, decisions and approved minutes for the past ones."""

from __future__ import annotations

from datetime import date, time

from django.utils import timezone

from kenes.core.demo import DemoContext, demo_step
from kenes.core.models import StateBody
from kenes.councils.models import Council, Membership

from . import services
from .models import AgendaItem, Attendance, Decision, Meeting, MeetingKind, Minutes

QUESTIONS = [
    (
        "Өңірдегі әлеуметтік нысандардың мүгедектігі бар адамдар үшін қолжетімділігі туралы",
        "О доступности социальных объектов для людей с инвалидностью",
    ),
    ("Жергілікті бюджеттің жобасын қоғамдық талқылау", "Общественное обсуждение проекта местного бюджета"),
    (
        "Мемлекеттік органның ұсынымдарды орындауы туралы есебі",
        "Отчёт государственного органа об исполнении рекомендаций",
    ),
    ("Жастар жұмыспен қамту бағдарламасының мониторингі", "Мониторинг программы занятости молодёжи"),
    (
        "Қоғамдық кеңестің келесі тоқсанға арналған жұмыс жоспары",
        "План работы общественного совета на следующий квартал",
    ),
    ("Ауыз сумен қамтамасыз ету мәселелері", "Вопросы обеспечения питьевой водой"),
]
DECISIONS = [
    "Ақпарат назарға алынсын; ұсынымдар мемлекеттік органға жіберілсін.",
    "Ұсыныстар мақұлдансын және хаттамаға енгізілсін.",
    "Мониторинг тобы құрылып, екі ай ішінде есеп берілсін.",
]


@demo_step(order=30)
def meetings(context: DemoContext) -> None:
    rng = context.rng
    today = timezone.localdate()
    start = date(today.year, 1, 5)
    bodies = {b.code: b for b in StateBody.objects.filter(code__in=["cte-civil-society", "min-culture-info"])}
    republican = list(Council.objects.exclude(level=Council.Level.LOCAL))
    regional = list(Council.objects.filter(level=Council.Level.LOCAL, district__isnull=True))
    national = [
        (
            "Азаматтық қоғам істері комитетімен үйлестіру кеңесі",
            "Координационное совещание с Комитетом по делам гражданского общества",
            "Coordination meeting with the Civil Society Affairs Committee",
            {
                "cadence_kind": "working_days",
                "interval": 10,
                "start_time": time(15, 0),
                "duration_minutes": 90,
            },
            bodies.get("cte-civil-society"),
            republican,
        ),
        (
            "Мәдениет және ақпарат министрімен кездесу",
            "Встреча с Министром культуры и информации",
            "Meeting with the Minister of Culture and Information",
            {
                "cadence_kind": "monthly_weekday",
                "interval": 1,
                "weekday": 2,
                "week": 2,
                "start_time": time(11, 0),
            },
            bodies.get("min-culture-info"),
            republican,
        ),
        (
            "Үкімет деңгейіндегі жарты жылдық кеңес",
            "Полугодовое совещание на уровне Правительства",
            "Half-yearly meeting at Government level",
            {
                "cadence_kind": "monthly_day",
                "interval": 6,
                "day": 15,
                "start_time": time(10, 0),
                "duration_minutes": 180,
            },
            None,
            republican + regional,
        ),
    ]
    for title_kk, title_ru, title_en, cadence, body, invited in national:
        services.series_create(
            data={
                "title_kk": title_kk,
                "title_ru": title_ru,
                "title_en": title_en,
                "kind": MeetingKind.COORDINATION,
                "starts_on": start,
                "convener_body": body,
                "online_link": "https://meet.kenes.kz/national",
                "place": "Астана, Үкімет үйі" if body is None else "Астана, Министрлік үйі",
                **cadence,
            },
            councils=invited,
            acting_user=None,
            include_past=True,
        )
    councils = list(Council.objects.all()) if context.national else list(Council.objects.all()[:6])
    for council in councils:
        services.series_create(
            data={
                "title_kk": "Қоғамдық кеңес отырысы",
                "title_ru": "Заседание общественного совета",
                "title_en": "Sitting of the public council",
                "kind": MeetingKind.SITTING,
                "cadence_kind": "monthly_weekday",
                "interval": 3,
                "weekday": rng.choice([1, 2, 3]),
                "week": rng.choice([2, 3]),
                "starts_on": start,
                "start_time": time(rng.choice([10, 11, 14, 15]), 0),
                "duration_minutes": 120,
                "council": council,
                "place": council.state_body.name_kk,
            },
            councils=[council],
            acting_user=None,
            include_past=True,
        )
    _fill_past(context, today)
    context.counts["meetings"] = Meeting.objects.count()


def _fill_past(context: DemoContext, today: date) -> None:
    """Held council sittings get attendance, two or three decided items and approved minutes."""
    rng = context.rng
    now = timezone.now()
    past = list(Meeting.objects.filter(starts_at__lt=now, council__isnull=False).select_related("council"))
    members: dict[int, list[int]] = {}
    for council_id, membership_id in Membership.objects.filter(ceased_on__isnull=True).values_list(
        "council_id", "pk"
    ):
        members.setdefault(council_id, []).append(membership_id)
    attendance, items = [], []
    for meeting in past:
        seats = members.get(meeting.council_id, [])
        for membership_id in seats:
            roll = rng.random()
            presence = (
                Attendance.Presence.IN_PERSON
                if roll < 0.7
                else Attendance.Presence.ONLINE
                if roll < 0.88
                else Attendance.Presence.ABSENT
            )
            attendance.append(
                Attendance(
                    meeting=meeting,
                    membership_id=membership_id,
                    presence=presence,
                    absence_reason="іссапарда" if presence == Attendance.Presence.ABSENT else "",
                )
            )
        for position, (kk, _ru) in enumerate(rng.sample(QUESTIONS, rng.randint(2, 3)), 1):
            items.append(
                AgendaItem(
                    meeting=meeting,
                    position=position,
                    title=kk,
                    presenter="",
                    status=AgendaItem.Status.ACCEPTED,
                )
            )
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    AgendaItem.objects.bulk_create(items, batch_size=2000)
    present = {}
    for row in attendance:
        present.setdefault(row.meeting_id, 0)
        present[row.meeting_id] += row.presence != Attendance.Presence.ABSENT
    decisions = []
    for item in items:
        count = present.get(item.meeting_id, 0)
        votes_for = max(0, count - rng.randint(0, 2))
        decisions.append(
            Decision(
                item=item,
                text=rng.choice(DECISIONS),
                votes_for=votes_for,
                votes_against=0,
                votes_abstained=count - votes_for,
                outcome=Decision.Outcome.ADOPTED,
                basis_for_recommendations=rng.random() < 0.3,
            )
        )
    Decision.objects.bulk_create(decisions, batch_size=2000)
    minutes = []
    numbers: dict[int, int] = {}
    for meeting in sorted(past, key=lambda m: m.starts_at):
        numbers[meeting.council_id] = numbers.get(meeting.council_id, 0) + 1
        minutes.append(
            Minutes(
                meeting=meeting,
                number=str(numbers[meeting.council_id]),
                body="Отырысқа кеңес мүшелері қатысты. Күн тәртібіндегі мәселелер талқыланып, шешімдер қабылданды.",
                approved_at=meeting.starts_at + (now - now),
            )
        )
    Minutes.objects.bulk_create(minutes, batch_size=2000)
    Meeting.objects.filter(pk__in=[m.pk for m in past]).update(
        status=Meeting.Status.MINUTES_APPROVED, agenda_published_at=None
    )
    Meeting.objects.filter(starts_at__lt=now, council__isnull=True).update(status=Meeting.Status.HELD)
