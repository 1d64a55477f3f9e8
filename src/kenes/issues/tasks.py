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
    from .similar import index_missing

    return index_missing()


@periodic(every=timedelta(hours=6))
@task()
def propose_problems() -> int:
    """Propose national problems from similar issues raised by several councils."""
    from .clustering import propose

    return len(propose())
