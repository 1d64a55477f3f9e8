"""An issue's states and transitions, as data: who may fire each and what it needs.

 pending ──accept──▶ new ──review──▶ under review ──take──▶ in work ──raise──▶ raised centrally
    │                 │                   │                   │                    │
    └──remove──▶ spam └───────────────────┴──── resolve / reject / close as duplicate ──▶ closed
                                 closed ──reopen──▶ under review

``pending`` and ``spam`` are the moderation states of citizens' submissions: only the council's
staff see them. Closing as a duplicate needs the issue it duplicates (a link, never a merge).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Issue

S = Issue.Status

CLOSED = frozenset({S.RESOLVED, S.REJECTED, S.DUPLICATE})
WORKING = frozenset({S.NEW, S.UNDER_REVIEW, S.IN_WORK, S.RAISED})


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: frozenset[str]
    target: str
    permission: str
    needs_reason: bool = False
    needs_duplicate: bool = False
    tells_submitter: bool = True

    def allowed(self, issue: Issue) -> bool:
        return issue.status in self.sources


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("accept", _("Publish"), frozenset({S.PENDING}), S.NEW, "issues.moderate_issue"),
        Transition(
            "remove",
            _("Remove as spam or abuse"),
            frozenset({S.PENDING}),
            S.SPAM,
            "issues.moderate_issue",
            needs_reason=True,
            tells_submitter=False,
        ),
        Transition(
            "review", _("Start the review"), frozenset({S.NEW}), S.UNDER_REVIEW, "issues.manage_issue"
        ),
        Transition(
            "take", _("Take into work"), frozenset({S.NEW, S.UNDER_REVIEW}), S.IN_WORK, "issues.manage_issue"
        ),
        Transition(
            "raise",
            _("Raise centrally"),
            frozenset({S.UNDER_REVIEW, S.IN_WORK}),
            S.RAISED,
            "issues.manage_issue",
        ),
        Transition(
            "resolve", _("Mark as resolved"), WORKING, S.RESOLVED, "issues.manage_issue", needs_reason=True
        ),
        Transition("reject", _("Reject"), WORKING, S.REJECTED, "issues.manage_issue", needs_reason=True),
        Transition(
            "close_duplicate",
            _("Close as a duplicate"),
            WORKING,
            S.DUPLICATE,
            "issues.manage_issue",
            needs_duplicate=True,
        ),
        Transition("reopen", _("Reopen"), CLOSED, S.UNDER_REVIEW, "issues.manage_issue"),
    ]
}


def actions(issue: Issue, user) -> list[Transition]:
    """The transitions ``user`` may fire on ``issue`` now, in display order."""
    return [t for t in TRANSITIONS.values() if t.allowed(issue) and user.has_perm(t.permission, issue)]
