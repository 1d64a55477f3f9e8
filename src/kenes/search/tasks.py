"""Background work of the similarity engine: embedding saved texts, back-filling, keeping the index.

Domain apps enqueue ``embed_collection_items`` on commit when a text is saved; the task worker
embeds in batches on ``KENES_SIMILARITY_WORKER_THREADS`` threads. ``similarity.index`` never raises:
a text it could not embed is stored by wording only and picked up by ``similarity_upkeep``.
"""

from datetime import timedelta

from django_tasks import task

from kenes.core.scheduler import periodic

from . import similarity


@task()
def embed_collection_items(collection: str, items: list[list]) -> int:
    """Embed and store ``items`` ([key, text] pairs) of ``collection``."""
    engine = similarity.engine()
    return engine.index(collection, [(int(key), str(text)) for key, text in items])


@task()
def forget_collection_items(collection: str, keys: list[int]) -> None:
    similarity.forget(collection, [int(key) for key in keys])


@periodic(every=timedelta(minutes=10))
@task()
def similarity_upkeep() -> dict:
    """Embed what is missing or was embedded by another model, refresh the stalest hub scores and
    write index snapshots so that app servers start fast."""
    from .models import Embedding

    engine = similarity.engine()
    embedded = engine.embed_missing()
    refreshed = snapshots = 0
    for collection in Embedding.objects.values_list("collection", flat=True).distinct():
        refreshed += engine.refresh_hubs(collection)
        snapshots += engine.save_snapshot(collection)
    return {"embedded": embedded, "hubs_refreshed": refreshed, "indexed": snapshots}
