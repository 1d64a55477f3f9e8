"""The similarity engine: which stored texts describe the same problem as this one, in any language.

The interface is small and knows no domain app; a collection name and an integer key identify a
text::

    index(collection, [(key, text), ...])   # the worker: embed, store durably, extend the index
    forget(collection, keys)                # deleted or removed texts
    similar(collection, text, k=5, exclude=..., allowed=...) -> [Match]
    neighbours(collection, key, k=10) -> [Match]
    status() -> EngineStatus

Scoring (docs/decisions/similarity-engine.md has the measurements behind each choice):

1. Texts are embedded by a multilingual sentence model (``kenes.search.embedding``), so a Kazakh
   text and its Russian twin land close together.
2. Raw cosine cannot tell a duplicate from a text that is merely "about a municipal problem": e5
   cosines sit in a narrow band and some texts ("hubs") are close to everything. The engine uses
   CSLS, ``2·cos(x, y) − r(x) − r(y)``, where ``r`` is a text's mean cosine to its ``HUB_K`` nearest
   neighbours in the collection; ``r(y)`` is stored with each vector, ``r(x)`` comes from the query's
   own neighbours.
3. Lexical evidence adds ``LEXICAL_WEIGHT`` × the overlap of character trigrams of the folded, stemmed
   words (``kenes.search.stemming``), which helps same-language near copies and Latin/Cyrillic Kazakh.
4. ``score ≥ KENES_SIMILARITY_THRESHOLD`` marks a duplicate; everything else is "related".

Retrieval: an approximate index (``kenes.search.ann``) proposes ``CANDIDATES`` keys, and they are
re-scored exactly from the rows in the database, which also drops rows deleted by other processes.

When the embedding backend is unavailable the engine says so in ``status()`` (shown in the admin) and
matches by wording only, from the same table; it then marks only near copies as duplicates.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import embedding
from .ann import AnnIndex, set_threads
from .embedding import Backend, Unavailable, text_hash
from .stemming import stems

logger = logging.getLogger(__name__)

HUB_K = 10
CANDIDATES = 64
LEXICAL_WEIGHT = 0.25
LEXICAL_FLOOR = 0.5
LEXICAL_THRESHOLD = 0.55  # fallback only: the trigram overlap of a near copy
CATCH_UP_EVERY = 2.0  # seconds between checks of the database for rows other processes wrote
CATCH_UP_OVERLAP = timedelta(minutes=5)  # transactions commit out of order; re-read a margin
BATCH = 32
QUERY_CACHE = 256  # typed texts remembered per process


@dataclass(frozen=True)
class Match:
    key: int
    score: float  # the engine's calibrated score: CSLS + lexical (or lexical alone in the fallback)
    duplicate: bool
    cosine: float | None = None
    lexical: float | None = None


@dataclass(frozen=True)
class EngineStatus:
    backend: str
    available: bool
    reason: str
    model: str
    build: str
    vectors_stored: int
    texts_stored: int
    index_size: int
    threshold: float


# --- lexical evidence ------------------------------------------------------------------------------


def lexical_form(text: str) -> str:
    """The folded, stemmed words of ``text``, as stored in ``Embedding.lexical``."""
    return " ".join(stems(text))


@lru_cache(maxsize=200_000)
def lexical_grams(form: str) -> frozenset[str]:
    grams = set()
    for word in form.split():
        if len(word) < 3:
            continue
        padded = f"_{word}_"
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def lexical_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def calibrated(cosine: float, hub_query: float, hub_item: float, lexical: float) -> float:
    # Wording counts only beyond the overlap that stock phrases give unrelated texts (the harness
    # measured boilerplate alone at 0.3-0.45): then near copies and Latin/Cyrillic twins gain.
    return 2.0 * cosine - hub_query - hub_item + LEXICAL_WEIGHT * max(0.0, lexical - LEXICAL_FLOOR)


def hub_scores(cosines: np.ndarray, k: int = HUB_K) -> np.ndarray:
    """Mean of the ``k`` largest cosines of each row (the caller removes self-matches)."""
    if cosines.shape[1] == 0:
        return np.zeros(len(cosines), np.float32)
    k = min(k, cosines.shape[1])
    top = -np.sort(-cosines, axis=1)[:, :k]
    return top.mean(axis=1)


BACKGROUND_DIR = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=4)
def background(model: str) -> AnnIndex | None:
    """Vectors of a fixed background corpus of generated issues, for this model (or None).

    Hub scores are taken over the collection *and* this corpus, so that a young collection with few
    texts already knows how crowded the space of municipal problems is: without it, CSLS in a
    collection of a hundred texts over-scores pairs that a realistic collection would correct.
    ``scripts/eval_similarity.py --build-background`` writes the file.
    """
    path = BACKGROUND_DIR / f"background--{model.replace('/', '_')}.npy"
    if not model or not path.exists():
        return None
    vectors = np.ascontiguousarray(np.load(path), dtype=np.float32)
    return AnnIndex.build(np.arange(len(vectors), dtype=np.int64), vectors)


def with_background(model: str, vectors: np.ndarray, cosines: np.ndarray) -> np.ndarray:
    """``cosines`` (one row per vector) extended by each vector's ``HUB_K`` nearest background cosines."""
    corpus = background(model)
    if corpus is None:
        return cosines
    # faiss on the configured threads: numpy's BLAS would spin threads on a busy machine.
    extra, _keys = corpus.search(np.atleast_2d(vectors), HUB_K)
    return np.concatenate([cosines, extra], axis=1)


def _threshold() -> float:
    return float(embedding._settings("KENES_SIMILARITY_THRESHOLD", 0.05))


# --- in-process indexes (caches of the table) --------------------------------------------------------


class _Collection:
    """One process's view of one collection: the ANN index and the wording index, kept caught up."""

    def __init__(self, name: str, model: str, dim: int | None):
        self.name = name
        self.model = model
        self.dim = dim
        self.ann: AnnIndex | None = None
        self.watermark = None  # updated_at of the newest row seen
        self.recent: dict[int, tuple] = {}  # key → (text hash, updated_at) of rows read inside the margin
        self.checked = 0.0
        self.lock = threading.RLock()
        # wording index, used when the embedding backend is unavailable
        self.postings: dict[str, set[int]] = defaultdict(set)
        self.forms: dict[int, str] = {}


class Engine:
    """The engine of one process. Module-level functions use a shared instance; tests make more."""

    def __init__(self, backend_name: str | None = None):
        self._backend_name = backend_name
        # One query at a time in app servers; the worker's batches use both cores (embedding.py).
        set_threads(embedding.configure_threads())
        self._collections: dict[tuple[str, str], _Collection] = {}
        self._queries: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    # --- backend -----------------------------------------------------------------------------
    @property
    def backend(self) -> Backend | Unavailable:
        return embedding.load(self._backend_name)

    def _dense(self) -> Backend | None:
        backend = self.backend
        return None if isinstance(backend, Unavailable) else backend

    # --- writes --------------------------------------------------------------------------------
    def index(self, collection: str, items: list[tuple[int, str]]) -> int:
        """Embed and store ``items``; unchanged texts are skipped. Returns how many were (re)stored.

        Never raises: a failure is logged, the wording is stored without a vector when possible, and
        the periodic ``embed_missing`` job embeds it later.
        """
        try:
            return self._index(collection, items)
        except Exception:
            logger.exception("similarity: indexing %d texts of %s failed", len(items), collection)
            return 0

    def _index(self, collection: str, items: list[tuple[int, str]]) -> int:
        from django.db import transaction
        from django.utils import timezone

        from .models import Embedding

        latest = {int(key): text or "" for key, text in items}
        if not latest:
            return 0
        backend = self._dense()
        model = backend.name if backend else ""
        # Load (or build) this process's index before writing, so the new rows are added exactly once.
        state = self._state(collection, model, catch_up=False)
        existing = {
            row.key: row
            for row in Embedding.objects.filter(collection=collection, key__in=list(latest)).only(
                "key", "text_hash", "model_name", "vector", "created_at"
            )
        }
        todo = []
        for key, text in latest.items():
            digest = text_hash(text)
            row = existing.get(key)
            if (
                row
                and row.text_hash == digest
                and row.model_name == model
                and (row.vector is not None or not model)
            ):
                continue
            todo.append((key, text, digest))
        if not todo:
            return 0
        vectors = hubs = None
        if backend:
            try:
                vectors = np.concatenate(
                    [
                        backend.embed([text for _, text, _ in todo[i : i + BATCH]])
                        for i in range(0, len(todo), BATCH)
                    ]
                )
                hubs = self._hubs_for_new(collection, backend, [key for key, _, _ in todo], vectors)
            except Exception:
                logger.exception("similarity: embedding failed; storing wording only")
                vectors = hubs = None
                model = ""
        now = timezone.now()
        rows = [
            Embedding(
                collection=collection,
                key=key,
                text=text,
                text_hash=digest,
                lexical=lexical_form(text),
                model_name=model if vectors is not None else "",
                vector=vectors[i].astype("<f4").tobytes() if vectors is not None else None,
                hub=float(hubs[i]) if hubs is not None else None,
                hub_at=now if hubs is not None else None,
                created_at=existing[key].created_at if key in existing else now,
                updated_at=now,
            )
            for i, (key, text, digest) in enumerate(todo)
        ]
        with transaction.atomic():
            Embedding.objects.filter(collection=collection, key__in=[row.key for row in rows]).delete()
            Embedding.objects.bulk_create(rows)
        # This process sees its own writes at once; others catch up from the table.
        if vectors is None and model:
            state = self._state(collection, "", catch_up=False)
        with state.lock:
            if vectors is not None and state.ann is not None:
                state.ann.add([row.key for row in rows], vectors)
            for row in rows:
                self._add_wording(state, row.key, row.lexical)
                state.recent[row.key] = (row.text_hash, row.updated_at)
        return len(rows)

    def _hubs_for_new(self, collection, backend, keys, vectors) -> np.ndarray:
        state = self._state(collection, backend.name)
        cosines = []
        if state.ann is not None and len(state.ann):
            scores, found = state.ann.search(vectors, HUB_K + len(keys))
            scores = np.where(np.isin(found, keys) | (found < 0), -np.inf, scores)
            cosines.append(scores)
        if len(keys) > 1:
            within = vectors @ vectors.T
            np.fill_diagonal(within, -np.inf)
            cosines.append(within)
        cosines.append(with_background(backend.name, vectors, np.zeros((len(keys), 0), np.float32)))
        merged = np.concatenate(cosines, axis=1)
        if merged.shape[1] == 0:
            return np.full(len(keys), np.nan, np.float32)
        merged = np.where(np.isfinite(merged), merged, np.nan)
        top = -np.sort(-np.nan_to_num(merged, nan=-np.inf), axis=1)[:, :HUB_K]
        top = np.where(np.isfinite(top), top, np.nan)
        with np.errstate(all="ignore"):
            return np.nanmean(top, axis=1)

    def forget(self, collection: str, keys: Iterable[int]) -> None:
        from .models import Embedding

        keys = [int(key) for key in keys]
        try:
            Embedding.objects.filter(collection=collection, key__in=keys).delete()
            for (name, _model), state in list(self._collections.items()):
                if name == collection:
                    with state.lock:
                        if state.ann is not None:
                            state.ann.remove(keys)
                        for key in keys:
                            self._remove_wording(state, key)
        except Exception:
            logger.exception("similarity: forgetting %s %s failed", collection, keys)

    # --- reads ---------------------------------------------------------------------------------
    def similar(
        self,
        collection: str,
        text: str,
        *,
        k: int = 5,
        exclude: Iterable[int] = frozenset(),
        allowed: Callable[[list[int]], set[int]] | None = None,
    ) -> list[Match]:
        """The ``k`` stored texts most similar to ``text``, best first."""
        backend = self._dense()
        exclude = {int(key) for key in exclude}
        if backend is None:
            return self._similar_by_wording(collection, text, k=k, exclude=exclude, allowed=allowed)
        try:
            query = self._embed_query(backend, text)
        except Exception:
            logger.exception("similarity: embedding the query failed; matching by wording")
            return self._similar_by_wording(collection, text, k=k, exclude=exclude, allowed=allowed)
        return self._similar_by_vector(
            collection, backend.name, query, lexical_form(text), k=k, exclude=exclude, allowed=allowed
        )

    def _embed_query(self, backend: Backend, text: str) -> np.ndarray:
        """Embed a typed text; the same text asked again (htmx re-sends it) is answered from memory."""
        cache_key = (backend.name, text)
        with self._lock:
            vector = self._queries.get(cache_key)
            if vector is not None:
                self._queries.move_to_end(cache_key)
                return vector
        vector = backend.embed([text])[0]
        with self._lock:
            self._queries[cache_key] = vector
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return vector

    def neighbours(self, collection: str, key: int, *, k: int = 10) -> list[Match]:
        """The ``k`` stored texts most similar to the stored text ``key`` (for cluster proposals)."""
        from .models import Embedding

        row = Embedding.objects.filter(collection=collection, key=key).first()
        if row is None:
            return []
        backend = self._dense()
        if backend is None or row.vector is None or row.model_name != backend.name:
            return self._similar_by_wording(collection, row.text, k=k, exclude={key}, allowed=None)
        return self._similar_by_vector(
            collection, row.model_name, row.array, row.lexical, k=k, exclude={key}, allowed=None, hub=row.hub
        )

    def _similar_by_vector(
        self, collection, model, query, form, *, k, exclude, allowed, hub=None
    ) -> list[Match]:
        from .models import Embedding

        state = self._state(collection, model)
        if state.ann is None or not len(state.ann):
            return []
        wanted = CANDIDATES + len(exclude)
        for _attempt in range(3):
            scores, found = state.ann.search(query, wanted)
            scores, found = scores[0], found[0]
            keep = (found >= 0) & ~np.isin(found, list(exclude)) if exclude else found >= 0
            candidates = list(dict.fromkeys(int(key) for key in found[keep]))
            if allowed is not None and candidates:
                permitted = allowed(candidates)
                candidates = [key for key in candidates if key in permitted]
            if len(candidates) >= k or wanted >= len(state.ann):
                break
            wanted *= 4
        hub_query = (
            float(hub)
            if hub is not None and not math.isnan(hub)
            else float(hub_scores(with_background(model, query, scores[keep][None, :]))[0])
        )
        # Only (collection, key): SQLite would otherwise pick the catch-up index and scan the model's rows.
        rows = Embedding.objects.filter(collection=collection, key__in=candidates).only(
            "key", "vector", "hub", "lexical", "model_name"
        )
        query_grams = lexical_grams(form)
        matches = []
        threshold = _threshold()
        for row in rows:
            if row.model_name != model or row.vector is None:
                continue
            cosine = float(row.array @ query)
            lexical = lexical_similarity(query_grams, lexical_grams(row.lexical))
            hub_item = row.hub if row.hub is not None and not math.isnan(row.hub) else hub_query
            score = calibrated(cosine, hub_query, hub_item, lexical)
            matches.append(
                Match(row.key, round(score, 4), score >= threshold, round(cosine, 4), round(lexical, 4))
            )
        matches.sort(key=lambda match: (-match.score, match.key))
        return matches[:k]

    def _similar_by_wording(self, collection, text, *, k, exclude, allowed) -> list[Match]:
        from .models import Embedding

        form = lexical_form(text)
        state = self._state(collection, "")  # the wording index lives in the model-less state
        with state.lock:
            total = max(1, len(state.forms))
            weights: dict[int, float] = defaultdict(float)
            for word in set(form.split()):
                posting = state.postings.get(word)
                if not posting or len(posting) > max(50, total * 0.2):
                    continue  # absent, or too common to tell texts apart
                idf = math.log(total / len(posting))
                for key in posting:
                    weights[key] += idf
        ranked = sorted((key for key in weights if key not in exclude), key=lambda key: -weights[key])[
            : CANDIDATES * 2
        ]
        if allowed is not None and ranked:
            permitted = allowed(ranked)
            ranked = [key for key in ranked if key in permitted]
        rows = Embedding.objects.filter(collection=collection, key__in=ranked).only("key", "lexical")
        grams = lexical_grams(form)
        matches = []
        for row in rows:
            lexical = lexical_similarity(grams, lexical_grams(row.lexical))
            matches.append(
                Match(row.key, round(lexical, 4), lexical >= LEXICAL_THRESHOLD, None, round(lexical, 4))
            )
        matches.sort(key=lambda match: (-match.score, match.key))
        return matches[:k]

    # --- status --------------------------------------------------------------------------------
    def status(self) -> EngineStatus:
        from .models import Embedding

        backend = self.backend
        available = not isinstance(backend, Unavailable)
        model = backend.name if available else ""
        try:
            texts = Embedding.objects.count()
            vectors = Embedding.objects.filter(model_name=model, vector__isnull=False).count() if model else 0
        except Exception as error:  # the table may not exist yet (before migrate)
            logger.warning("similarity: status cannot count rows: %s", error)
            texts = vectors = 0
        size = sum(len(state.ann) for state in self._collections.values() if state.ann is not None)
        return EngineStatus(
            backend=embedding.backend_name(),
            available=available,
            reason="" if available else backend.reason,
            model=model,
            build=getattr(backend, "build", "") if available else "",
            vectors_stored=vectors,
            texts_stored=texts,
            index_size=size,
            threshold=_threshold(),
        )

    # --- keeping the caches ----------------------------------------------------------------------
    def _model_name(self) -> str:
        backend = self._dense()
        return backend.name if backend else ""

    def _state(self, collection: str, model: str, *, catch_up: bool = True) -> _Collection:
        with self._lock:
            state = self._collections.get((collection, model))
            if state is None:
                backend = self._dense()
                state = _Collection(collection, model, backend.dim if backend and model else None)
                self._collections[(collection, model)] = state
                self._load(state)
        if catch_up:
            self._catch_up(state)
        return state

    def _load(self, state: _Collection) -> None:
        """Start from the snapshot file if there is one, else from the table."""

        if state.model:
            loaded = None
            try:
                loaded = AnnIndex.load(self._snapshot_path(state), **self._ann_options())
            except Exception:
                logger.exception("similarity: snapshot of %s unreadable; rebuilding", state.name)
            if loaded is not None:
                state.ann, meta = loaded
                from django.utils.dateparse import parse_datetime

                state.watermark = parse_datetime(meta["watermark"]) if meta.get("watermark") else None
                state.checked = 0.0
                return
        self._rebuild(state)

    def _rebuild(self, state: _Collection) -> None:
        from .models import Embedding

        keys, vectors, newest = [], [], None
        rows = Embedding.objects.filter(collection=state.name).values_list(
            "key", "lexical", "model_name", "vector", "updated_at"
        )
        for key, lexical, model, vector, updated_at in rows.iterator(chunk_size=5000):
            self._add_wording(state, key, lexical)
            if state.model and model == state.model and vector is not None:
                keys.append(key)
                vectors.append(np.frombuffer(bytes(vector), dtype="<f4"))
            newest = updated_at if newest is None or updated_at > newest else newest
        if state.model:
            matrix = np.stack(vectors) if vectors else np.zeros((0, state.dim or 384), np.float32)
            state.ann = AnnIndex.build(np.asarray(keys, np.int64), matrix, **self._ann_options())
        state.watermark = newest
        if newest is not None:  # rows inside the catch-up margin are already in the index
            margin = Embedding.objects.filter(
                collection=state.name, updated_at__gte=newest - CATCH_UP_OVERLAP
            )
            for key, digest, updated_at in margin.values_list("key", "text_hash", "updated_at"):
                state.recent[key] = (digest, updated_at)
        state.checked = time.monotonic()

    def _catch_up(self, state: _Collection, *, force: bool = False) -> None:
        """Add rows other processes stored since this process last looked.

        Rows are read from a margin before the newest one seen (transactions commit out of order);
        ``recent`` remembers what was read inside that margin, so only new rows' vectors are fetched.
        """
        from .models import Embedding

        now = time.monotonic()
        if not force and now - state.checked < CATCH_UP_EVERY:
            return
        with state.lock:
            state.checked = now
            rows = Embedding.objects.filter(collection=state.name)
            if state.watermark is not None:
                rows = rows.filter(updated_at__gte=state.watermark - CATCH_UP_OVERLAP)
            new, newest = {}, state.watermark
            for pk, key, digest, updated_at in rows.values_list(
                "pk", "key", "text_hash", "updated_at"
            ).iterator(chunk_size=5000):
                newest = updated_at if newest is None or updated_at > newest else newest
                if state.recent.get(key, ("",))[0] != digest:
                    new[pk] = (key, digest, updated_at)
            keys, vectors = [], []
            pks = list(new)
            for start in range(0, len(pks), 2000):
                for pk, lexical, model, vector in Embedding.objects.filter(
                    pk__in=pks[start : start + 2000]
                ).values_list("pk", "lexical", "model_name", "vector"):
                    key, digest, updated_at = new[pk]
                    state.recent[key] = (digest, updated_at)
                    self._add_wording(state, key, lexical)
                    if state.model and model == state.model and vector is not None and state.ann is not None:
                        keys.append(key)
                        vectors.append(np.frombuffer(bytes(vector), dtype="<f4"))
            if keys:
                state.ann.add(keys, np.stack(vectors))
            if newest is not None:
                horizon = newest - CATCH_UP_OVERLAP
                state.recent = {key: value for key, value in state.recent.items() if value[1] >= horizon}
            state.watermark = newest

    @staticmethod
    def _add_wording(state: _Collection, key: int, form: str) -> None:
        # Only the fallback state keeps a wording index: at a million texts it would cost gigabytes.
        if state.model or state.forms.get(key) == form:
            return
        Engine._remove_wording(state, key)
        state.forms[key] = form
        for word in set(form.split()):
            state.postings[word].add(key)

    @staticmethod
    def _remove_wording(state: _Collection, key: int) -> None:
        old = state.forms.pop(key, None)
        if old:
            for word in set(old.split()):
                state.postings[word].discard(key)

    @staticmethod
    def _ann_options() -> dict:
        return {
            "exact_below": int(embedding._settings("KENES_SIMILARITY_EXACT_BELOW", 200_000)),
            "nprobe": int(embedding._settings("KENES_SIMILARITY_NPROBE", 24)),
        }

    def _snapshot_path(self, state: _Collection):
        from pathlib import Path

        directory = Path(embedding._settings("KENES_SIMILARITY_INDEX_DIR", "var/similarity"))
        return directory / f"{state.name}--{state.model.replace('/', '_')}.faiss"

    def save_snapshot(self, collection: str) -> int:
        """Write this process's index of ``collection`` to disk, for fast start of other processes."""
        model = self._model_name()
        if not model:
            return 0
        state = self._state(collection, model)
        self._catch_up(state, force=True)
        with state.lock:
            if state.ann is None:
                return 0
            # Rebuild when the exact index has outgrown its limit or edits left stale duplicates.
            if state.ann.kind == "flat" and len(state.ann) >= state.ann.exact_below:
                self._rebuild(state)
            watermark = state.watermark - CATCH_UP_OVERLAP if state.watermark else None
            state.ann.save(
                self._snapshot_path(state), {"watermark": watermark.isoformat() if watermark else None}
            )
            return len(state.ann)

    def refresh_hubs(self, collection: str, *, limit: int = 5000) -> int:
        """Recompute the stalest hub scores (they drift as the collection grows)."""
        from django.db.models import F
        from django.utils import timezone

        from .models import Embedding

        backend = self._dense()
        if backend is None:
            return 0
        state = self._state(collection, backend.name)
        rows = list(
            Embedding.objects.filter(collection=collection, model_name=backend.name, vector__isnull=False)
            .order_by(F("hub_at").asc(nulls_first=True))
            .only("pk", "key", "vector")[:limit]
        )
        if not rows or state.ann is None:
            return 0
        vectors = np.stack([row.array for row in rows])
        scores, found = state.ann.search(vectors, HUB_K + 2)
        keys = np.array([row.key for row in rows])[:, None]
        scores = np.where((found == keys) | (found < 0), -np.inf, scores)
        scores = with_background(backend.name, vectors, scores)
        top = -np.sort(-scores, axis=1)[:, :HUB_K]
        hubs = np.where(np.isfinite(top), top, np.nan)
        now = timezone.now()
        for row, values in zip(rows, hubs, strict=True):
            finite = values[np.isfinite(values)]
            row.hub = float(finite.mean()) if len(finite) else None
            row.hub_at = now
        Embedding.objects.bulk_update(rows, ["hub", "hub_at"], batch_size=500)
        return len(rows)

    def embed_missing(self, *, limit: int = 2000) -> int:
        """Embed rows stored without a vector or with another model's vector."""
        from django.db.models import Q

        from .models import Embedding

        backend = self._dense()
        if backend is None:
            return 0
        stale = (
            Embedding.objects.filter(Q(vector__isnull=True) | ~Q(model_name=backend.name))
            .order_by("updated_at")
            .values_list("collection", "key", "text")[:limit]
        )
        by_collection: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for collection, key, text in stale:
            by_collection[collection].append((key, text))
        return sum(self.index(collection, items) for collection, items in by_collection.items())


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine


def reset(*, backends: bool = True) -> None:
    """Drop the process's engine and, unless told otherwise, its loaded backends (tests change settings)."""
    global _engine
    with _engine_lock:
        _engine = None
    if backends:
        embedding.reset()


def index(collection: str, items: list[tuple[int, str]]) -> None:
    engine().index(collection, items)


def forget(collection: str, keys: list[int]) -> None:
    engine().forget(collection, keys)


def similar(
    collection: str,
    text: str,
    *,
    k: int = 5,
    exclude: Iterable[int] = frozenset(),
    allowed: Callable[[list[int]], set[int]] | None = None,
) -> list[Match]:
    return engine().similar(collection, text, k=k, exclude=exclude, allowed=allowed)


def neighbours(collection: str, key: int, *, k: int = 10) -> list[Match]:
    return engine().neighbours(collection, key, k=k)


def status() -> EngineStatus:
    return engine().status()
