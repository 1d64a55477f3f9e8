"""The audit log: one entry point, ``log_action``, and the chain check behind ``verify_audit``.

Each entry's hash covers its own content and the previous entry's hash, so changing or deleting any
row breaks the chain from that row on. Appends lock the single ``AuditChainHead`` row, so several app
servers and workers can write at once without forking the chain (DESIGN §5: locks via the database).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditChainHead, LogEntry, User

GENESIS_HASH = "0" * 64

# What each action is called on timelines. Apps add theirs with ``register_actions``; an action
# with no label falls back to its last word ("….created") and then to its code.
_action_labels: dict[str, object] = {}
_GENERIC_LABELS = {
    "created": _("created"),
    "changed": _("changed"),
    "deleted": _("deleted"),
}


def register_actions(labels: dict[str, object]) -> None:
    _action_labels.update(labels)


def action_label(action: str) -> str:
    if action in _action_labels:
        return str(_action_labels[action])
    last = action.rsplit(".", 1)[-1]
    return str(_GENERIC_LABELS.get(last, action))


register_actions(
    {
        "core.role.granted": _("role granted"),
        "core.role.revoked": _("role revoked"),
        "core.reference.loaded": _("loaded from the reference files"),
        "core.reference.updated": _("updated from the reference files"),
        "core.reference.renamed": _("renamed"),
        "core.reference.retired": _("retired"),
        "core.reference.restored": _("restored"),
        "core.calendar.changed": _("working-day calendar corrected"),
        "core.user.language_changed": _("interface language changed"),
        "core.user.digest_changed": _("mail preference changed"),
    }
)


def _canonical(value) -> object:
    """JSON-safe copy of ``value`` exactly as it will read back from the database."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def entry_digest(
    *,
    sequence: int,
    timestamp,
    actor_id: int | None,
    content_type: ContentType,
    object_id: str,
    object_repr: str,
    action: str,
    data: object,
    prev_hash: str,
) -> str:
    payload = {
        "sequence": sequence,
        "timestamp": timestamp.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "type": f"{content_type.app_label}.{content_type.model}",
        "object": object_id,
        "repr": object_repr,
        "action": action,
        "data": data,
        "prev": prev_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def log_action(
    obj: models.Model, action: str, *, actor: User | None = None, data: dict | None = None
) -> LogEntry:
    """Append one entry to the audit log for ``obj``: who did ``action``, when, with what details.

    ``data`` usually holds ``{"before": {...}, "after": {...}}`` for changes. Call it inside the
    service's transaction so the change and its entry commit or roll back together.
    """
    return log_actions([(obj, action, actor, data)])[0]


@transaction.atomic
def log_actions(items: list[tuple[models.Model, str, User | None, dict | None]]) -> list[LogEntry]:
    """Append many entries at once (imports): one lock, one INSERT, the same chain as ``log_action``."""
    if not items:
        return []
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    now = timezone.now()
    entries = []
    sequence, prev_hash = head.last_sequence, head.last_hash
    for obj, action, actor, data in items:
        sequence += 1
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        entry = LogEntry(
            sequence=sequence,
            timestamp=now,
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_repr=(actor.email if actor is not None and actor.is_authenticated else ""),
            content_type=content_type,
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            action=action,
            data=_canonical(data or {}),
            prev_hash=prev_hash,
        )
        entry.hash = entry_digest(
            sequence=sequence,
            timestamp=now,
            actor_id=entry.actor_id,
            content_type=content_type,
            object_id=entry.object_id,
            object_repr=entry.object_repr,
            action=action,
            data=entry.data,
            prev_hash=prev_hash,
        )
        prev_hash = entry.hash
        entries.append(entry)
    LogEntry.objects.bulk_create(entries, batch_size=1000)
    head.last_sequence, head.last_hash = sequence, prev_hash
    head.save(update_fields=["last_sequence", "last_hash"])
    return entries


def field_changes(before: dict, after: dict) -> dict:
    """The ``before``/``after`` pair of only the fields that changed."""
    changed = sorted(key for key in after if before.get(key) != after.get(key))
    return {"before": {k: before.get(k) for k in changed}, "after": {k: after.get(k) for k in changed}}


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    problem: str


def verify_chain(batch_size: int = 2000, *, using: str = "default") -> Iterator[ChainProblem]:
    """Walk the whole log in order and yield every place where the chain is broken.

    ``using`` names the database (a restored backup can be checked before it goes live).
    """
    content_types = {ct.pk: ct for ct in ContentType.objects.using(using).all()}
    expected_sequence = 1
    prev_hash = GENESIS_HASH
    rows = (
        LogEntry.objects.using(using)
        .order_by("sequence")
        .values_list(
            "sequence",
            "timestamp",
            "actor_id",
            "content_type_id",
            "object_id",
            "object_repr",
            "action",
            "data",
            "prev_hash",
            "hash",
        )
    )
    for (
        sequence,
        timestamp,
        actor_id,
        ct_id,
        object_id,
        object_repr,
        action,
        data,
        stored_prev,
        stored,
    ) in rows.iterator(chunk_size=batch_size):
        if sequence != expected_sequence:
            yield ChainProblem(expected_sequence, f"entries {expected_sequence}–{sequence - 1} are missing")
        if stored_prev != prev_hash:
            yield ChainProblem(sequence, "does not link to the entry before it")
        digest = entry_digest(
            sequence=sequence,
            timestamp=timestamp,
            actor_id=actor_id,
            content_type=content_types[ct_id],
            object_id=object_id,
            object_repr=object_repr,
            action=action,
            data=data,
            prev_hash=stored_prev,
        )
        if digest != stored:
            yield ChainProblem(sequence, "content was changed after it was written")
        prev_hash = stored
        expected_sequence = sequence + 1
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    last_sequence = expected_sequence - 1
    if head is not None and (head.last_sequence != last_sequence or head.last_hash != prev_hash):
        yield ChainProblem(head.last_sequence, f"entries after {last_sequence} are missing")
