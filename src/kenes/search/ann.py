"""Nearest-neighbour index over unit vectors (inner product = cosine), built on faiss.

Below ``exact_below`` vectors the index is exact (``IndexFlatIP``): a 100,000 × 384 scan takes a
few milliseconds. Above it, an inverted-file index with 8-bit scalar quantisation (``IVF{n},SQ8``):
a quarter of the memory of float32 vectors, fast to build and to extend, and candidates are re-scored
exactly from the stored vectors anyway, so quantisation only has to get the right items into the
candidate list. HNSW was not chosen: at a million vectors it builds for many minutes on two cores and
cannot delete. Ids are the caller's keys; a key added twice (an edited text) appears twice until the
next rebuild, and callers de-duplicate while re-scoring.

The index is a cache of the database: it can be written to a snapshot file and read back, and is
extended with rows newer than the snapshot. Nothing here is shared between processes.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

# faiss logs at INFO which CPU build it loads, in every process that imports the admin.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)
import faiss  # noqa: E402


def set_threads(threads: int) -> None:
    """faiss's OpenMP threads for this process (searching one query is fastest on one)."""
    faiss.omp_set_num_threads(max(1, threads))


class AnnIndex:
    def __init__(self, dim: int, *, exact_below: int = 200_000, nprobe: int = 24):
        self.dim = dim
        self.exact_below = exact_below
        self.nprobe = nprobe
        self.kind = "flat"
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._lock = threading.RLock()

    # --- building -------------------------------------------------------------------------------
    @classmethod
    def build(cls, keys: np.ndarray, vectors: np.ndarray, **options) -> AnnIndex:
        """An index over ``vectors`` (n × dim, unit length) with ids ``keys``."""
        index = cls(vectors.shape[1], **options)
        if len(keys) >= index.exact_below:
            index._index = index._ivf(vectors)
            index.kind = "ivf-sq8"
        index.add(keys, vectors)
        return index

    def _ivf(self, vectors: np.ndarray):
        n = len(vectors)
        nlist = int(min(4096, max(64, 2 ** round(math.log2(2 * math.sqrt(n))))))
        quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        rng = np.random.default_rng(0)
        sample = vectors[rng.choice(n, size=min(n, nlist * 40), replace=False)]
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.nprobe = self.nprobe
        return index

    # --- changes ----------------------------------------------------------------------------------
    def add(self, keys, vectors: np.ndarray) -> None:
        if len(keys) == 0:
            return
        with self._lock:
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(keys, dtype=np.int64)
            )

    def remove(self, keys) -> None:
        if len(keys) == 0:
            return
        with self._lock:
            self._index.remove_ids(np.asarray(list(keys), dtype=np.int64))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    # --- queries ----------------------------------------------------------------------------------
    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(cosines, keys) of the ``k`` nearest stored vectors of each row of ``vectors``; key -1 = none."""
        queries = np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
        with self._lock:
            if self._index.ntotal == 0:
                return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
            return self._index.search(queries, min(k, int(self._index.ntotal)))

    # --- snapshots --------------------------------------------------------------------------------
    def save(self, path: Path, meta: dict) -> None:
        """Write the index and ``meta`` atomically (readers never see half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            os.close(handle)
            faiss.write_index(self._index, temporary)
        os.replace(temporary, path)
        meta_path = path.with_suffix(".json")
        meta_tmp = meta_path.with_suffix(".json.tmp")
        meta_tmp.write_text(json.dumps({**meta, "kind": self.kind, "count": len(self)}), encoding="utf-8")
        os.replace(meta_tmp, meta_path)

    @classmethod
    def load(cls, path: Path, **options) -> tuple[AnnIndex, dict] | None:
        meta_path = path.with_suffix(".json")
        if not path.exists() or not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        raw = faiss.read_index(str(path))
        index = cls(raw.d, **options)
        index._index = raw
        index.kind = meta.get("kind", "flat")
        if index.kind != "flat":
            faiss.extract_index_ivf(raw).nprobe = index.nprobe
        return index, meta
