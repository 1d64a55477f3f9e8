"""Demo recommendations: a year of them over the demo councils, with bodies that behave differently.

Every decision of a past sitting marked as a basis for recommendations becomes a recommendation to
the council's body, sent a few working days after the sitting. Bodies have a habit: most answer on
time, some late, some never; answers are mostly acceptances with commitments, some partial, some
reasoned rejections after a hearing, a few redirects. Commitments slip, get claimed with evidence and
are confirmed or disputed by the council. Dates go through the same clock as real ones.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kenes.core.audit import log_actions
from kenes.core.demo import DemoContext, demo_step
from kenes.core.models import StateBody
from kenes.core.workcalendar import add_working_days
from kenes.meetings.models import Decision, Meeting

from .models import (
    Answer,
    Basis,
    Claim,
    Clarification,
    Commitment,
    Dispatch,
    Evidence,
    Extension,
    Hearing,
    Recommendation,
    RejectionReason,
    Response,
    Slip,
    Verification,
)
from .workflows import clock, next_reminder_on, rule_for

TITLES = [
    "Әлеуметтік нысандарға пандустар орнату туралы",
    "Ауылдық жерлерде ауыз су сапасын бақылауды күшейту туралы",
    "Жастарды жұмысқа орналастыру бағдарламасының ашықтығы туралы",
    "О публикации отчётов об исполнении местного бюджета",
    "Об обеспечении доступности поликлиник для людей с инвалидностью",
    "О сроках ремонта внутрипоселковых дорог",
]
ACTIONS = [
    ("Нормативтік актіге өзгерістер әзірлеу", "Заң қызметі"),
    ("Провести инвентаризацию объектов", "Управление строительства"),
    ("Ақпаратты ресми сайтта жариялау", "Баспасөз қызметі"),
    ("Предусмотреть средства в бюджете следующего года", "Финансовый департамент"),
]
REJECTION = (
    "Ұсынылған шара қолданыстағы заңнамаға сәйкес келмейді; балама ретінде ақпараттық науқан жүргізіледі."
)


@demo_step(order=50)
def recommendations(context: DemoContext) -> None:
    rng = context.rng
    today = timezone.localdate()
    decisions = list(
        Decision.objects.filter(
            basis_for_recommendations=True,
            outcome=Decision.Outcome.ADOPTED,
            item__meeting__council__isnull=False,
            item__meeting__status=Meeting.Status.MINUTES_APPROVED,
        )
        .select_related("item__meeting__council__state_body")
        .order_by("pk")
    )
    if not context.national:
        decisions = decisions[:40]
    central = list(
        StateBody.objects.filter(level=StateBody.Level.CENTRAL, deleted_at__isnull=True).order_by("code")
    )
    habits: dict[int, str] = {}
    officer = context.users.get("state_body_officer")
    secretary = context.users.get("council_secretary")

    made = 0
    for decision in decisions:
        meeting = decision.item.meeting
        council, body = meeting.council, meeting.council.state_body
        adopted = timezone.localtime(meeting.starts_at).date()
        sent = add_working_days(adopted, rng.randint(1, 7))
        if sent >= today:
            continue
        habit = habits.setdefault(body.pk, rng.choices(["punctual", "late", "silent"], weights=[6, 3, 1])[0])
        recommendation = Recommendation.objects.create(
            council=council,
            title=rng.choice(TITLES),
            text=decision.text + "\n\n" + decision.item.title,
            status=Recommendation.Status.SENT,
            decision=decision,
            adopted_on=adopted,
            signed_at=meeting.starts_at,
            sent_on=sent,
        )
        Basis.objects.create(recommendation=recommendation, kind=Basis.Kind.DECISION, decision=decision)
        _dispatch(context, recommendation, body, sent, habit, today, central, officer, secretary)
        made += 1
    log_actions(
        [
            (
                r,
                "recommendations.recommendation.send",
                None,
                {"after": {"status": r.status, "sent_on": r.sent_on}},
            )
            for r in Recommendation.objects.filter(council__isnull=False).order_by("pk")
        ]
    )
    context.counts["recommendations"] = made


def _dispatch(
    context, recommendation, body, sent, habit, today, central, officer, secretary, redirected_from=None
):
    rng = context.rng
    rule = rule_for(body)
    dispatch = Dispatch.objects.create(
        recommendation=recommendation,
        body=body,
        sent_on=sent,
        redirected_from=redirected_from,
        due_working_days=rule.due,
        long_overdue_working_days=rule.long_overdue,
    )
    clarifications, extensions = [], []
    if rng.random() < 0.1:
        asked = add_working_days(sent, rng.randint(1, 4))
        answered = add_working_days(asked, rng.randint(1, 5))
        if answered < today:
            clarifications.append(
                Clarification.objects.create(
                    dispatch=dispatch,
                    question="Ұсынымның қолданылу аясын нақтылауды сұраймыз.",
                    requested_on=asked,
                    answer="Барлық аудандарға қатысты.",
                    answered_on=answered,
                )
            )
    if habit == "late" and rng.random() < 0.3:
        granted = add_working_days(sent, 8)
        if granted < today:
            extensions.append(
                Extension.objects.create(
                    dispatch=dispatch,
                    working_days=5,
                    reason="Ведомствоаралық келісу қажет.",
                    granted_on=granted,
                )
            )
    computed = clock(dispatch, today, clarifications=clarifications, extensions=extensions, explain=False)
    due = computed.due_on
    answer_day = None
    if habit == "punctual" or (habit == "late" and rng.random() < 0.85):
        offset = rng.randint(3, rule.due) if habit == "punctual" else rng.randint(rule.due + 1, rule.due + 15)
        answer_day = add_working_days(
            sent, offset + sum(1 for _c in clarifications) * 3 + sum(e.working_days for e in extensions)
        )
        if answer_day > today:
            answer_day = None
    if answer_day is not None:
        answer = rng.choices(
            [Answer.ACCEPTED, Answer.PARTIALLY, Answer.REJECTED, Answer.NOT_COMPETENT],
            weights=[50, 22, 20, 8],
        )[0]
        if answer == Answer.NOT_COMPETENT and (redirected_from is not None or len(central) < 2):
            answer = Answer.ACCEPTED
        _answer(context, dispatch, answer, answer_day, today, central, officer, secretary)
    dispatch.refresh_from_db()
    computed = clock(dispatch, today, clarifications=clarifications, extensions=extensions, explain=False)
    Dispatch.objects.filter(pk=dispatch.pk).update(
        due_on=computed.due_on,
        long_overdue_on=computed.long_overdue_on,
        working_days_taken=computed.working_days_taken,
        next_reminder_on=next_reminder_on(computed, today - timedelta(days=1)),
    )
    return due


def _answer(context, dispatch, answer, day, today, central, officer, secretary):
    rng = context.rng
    hearing = None
    if answer == Answer.REJECTED:
        notified = add_working_days(dispatch.sent_on, 1)
        held = add_working_days(notified, 3)
        if held > day:
            day = held
        hearing = Hearing.objects.create(
            dispatch=dispatch,
            notified_on=notified,
            held_on=held,
            place="Онлайн",
            outcome="Тараптар ұстанымдарын айтты.",
        )
    redirect_to = None
    if answer == Answer.NOT_COMPETENT:
        redirect_to = rng.choice([b for b in central if b.pk != dispatch.body_id])
    response = Response.objects.create(
        dispatch=dispatch,
        answer=answer,
        reason_code=rng.choice(RejectionReason.values) if answer == Answer.REJECTED else "",
        text=REJECTION if answer == Answer.REJECTED else "Ұсыным қаралды; іс-шаралар жоспарға енгізілді.",
        redirect_to=redirect_to,
        hearing=hearing,
        responded_on=day,
        responded_by=officer if officer and dispatch.body.code == "min-health" else None,
    )
    Dispatch.objects.filter(pk=dispatch.pk).update(answer=answer, answered_on=day)
    if answer == Answer.NOT_COMPETENT:
        dispatch.answered_on = day
        _dispatch(
            context,
            dispatch.recommendation,
            redirect_to,
            day,
            rng.choices(["punctual", "late", "silent"], weights=[6, 3, 1])[0],
            today,
            central,
            officer,
            secretary,
            redirected_from=dispatch,
        )
        return
    if answer not in (Answer.ACCEPTED, Answer.PARTIALLY):
        return
    for action, unit in rng.sample(ACTIONS, rng.randint(1, 2)):
        promised = day + timedelta(days=rng.randint(30, 180))
        commitment = Commitment.objects.create(
            dispatch=dispatch,
            response=response,
            action=action,
            responsible_unit=unit,
            promised_on=promised,
            original_promised_on=promised,
        )
        if rng.random() < 0.25:
            moved = promised + timedelta(days=rng.randint(20, 90))
            Slip.objects.create(
                commitment=commitment, from_date=promised, to_date=moved, reason="Мердігер кешіктірді."
            )
            commitment.promised_on = moved
        claim_day = commitment.promised_on - timedelta(days=rng.randint(-20, 10))
        if claim_day < today and rng.random() < 0.7:
            claim = Claim.objects.create(
                commitment=commitment, text="Орындалды, құжаттар қоса берілді.", claimed_on=claim_day
            )
            Evidence.objects.create(
                claim=claim, kind=Evidence.Kind.LINK, url="https://adilet.zan.kz/", title="Бұйрық"
            )
            commitment.status, commitment.claimed_on = Commitment.Status.CLAIMED, claim_day
            verify_day = claim_day + timedelta(days=rng.randint(5, 30))
            if verify_day < today and rng.random() < 0.8:
                confirmed = rng.random() < 0.75
                verification = Verification.objects.create(
                    commitment=commitment,
                    claim=claim,
                    verdict=Verification.Verdict.CONFIRMED if confirmed else Verification.Verdict.DISPUTED,
                    text="Мониторинг тобы орнында тексерді."
                    if confirmed
                    else "Орнында тексергенде жұмыс аяқталмаған.",
                    verified_on=verify_day,
                    verified_by=secretary,
                )
                if not confirmed:
                    Evidence.objects.create(
                        verification=verification,
                        kind=Evidence.Kind.LINK,
                        url="https://kenes.kz/monitoring",
                        title="Акт",
                    )
                commitment.status = Commitment.Status.VERIFIED if confirmed else Commitment.Status.DISPUTED
                commitment.verified_on = verify_day if confirmed else None
        elif commitment.promised_on < today and rng.random() < 0.5:
            commitment.status = Commitment.Status.IN_PROGRESS
        commitment.save()
