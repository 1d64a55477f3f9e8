"""Background work of the problems database: vectors for similarity, proposals of national problems."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from kenes.core.scheduler import periodic

logger = logging.getLogger(__name__)


@task()
def embed_issues(pks: list[int]) -> int:
    """Compute and store the similarity vectors of these issues (see ``kenes.search.similarity``)."""
    from .similar import index_issues

    return index_issues(pks)


@periodic(every=timedelta(minutes=15))
@task()
def embed_missing() -> int:
    """Catch up on issues whose vector is missing (a failed or lost task, an import, the demo)."""
    from .similar import MISSING_BATCH, index_missing

    done = index_missing(limit=MISSING_BATCH)
    if done == MISSING_BATCH:
        # More are waiting (a fresh demo, a large import): keep going instead of waiting 15 minutes.
        embed_missing.enqueue()
    return done


@periodic(every=timedelta(hours=6))
@task()
def propose_problems() -> int:
    """Propose national problems from similar issues raised by several councils."""
    from .clustering import propose

    return len(propose())
