"""Evaluation harness of the similarity engine: ``make eval-similarity [DATA=file.jsonl] [HAYSTACK=n]``.

A labelled file (one JSON object a line: ``id``, ``cluster``, ``lang``, ``text``; texts sharing a
``cluster`` describe the same problem, clusters of one are distractors) is placed inside a haystack of
generated issues (``kenes.issues.textgen``, whose themes avoid the labelled problems). Every labelled
text with a partner is a query; the harness prints, for the engine, its wording-only fallback, pg_trgm
similarity and plain word search (PostgreSQL ``simple`` tsvector, OR query, ``ts_rank``):

* recall@5 — a partner is among the first five results;
* MRR — mean of 1 / rank of the first partner (0 beyond 20);
* cross-language recall@5 — over queries with a partner in another language (kk-latn counts as kk),
  a partner in another language is among the first five;
* distractors shown as duplicates — the share of distractors whose best match is flagged a duplicate
  at the method's threshold (the engine's setting; pg_trgm's default 0.3; word search: the best match
  shares at least half of the query's words).

It also checks the threshold on generated data, where there are hundreds of distractors instead of
six: a generated text queried with every text of its own theme excluded can only find another
problem, so its best match being flagged is a false duplicate.

The engine runs for real — ``Engine.index`` into a scratch SQLite database, hub refresh, ``similar`` —
except that vectors of texts seen before come from ``var/cache/similarity/`` (keyed by the text's
hash) instead of being embedded again; texts not cached yet are embedded by ``--jobs`` processes (one
per core) before the run. The haystack defaults to 100,000 generated issues when their vectors are all
cached, else 20,000. The last line of output is one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DEV = ROOT.parent / "shared" / "data" / "issues_dev.jsonl"
COPY_DEV = ROOT / "tests" / "data" / "issues_dev.jsonl"
CACHE = ROOT / "var" / "cache" / "similarity"
HAYSTACK_SEED = 2026
COLLECTION = "eval"
BASE_KEY = 1_000_000
POSTGRES = os.environ.get("KENES_EVAL_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _group(language: str) -> str:
    return language.split("-")[0]


def load_labelled(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def haystack_texts(count: int) -> list[str]:
    from kenes.issues.textgen import generate

    return [issue.text for issue in generate(count, seed=HAYSTACK_SEED, languages=("kk", "ru", "en"))]


def haystack_themes(count: int) -> list[str]:
    from kenes.issues.textgen import generate

    return [issue.theme for issue in generate(count, seed=HAYSTACK_SEED, languages=("kk", "ru", "en"))]


# --- metrics ---------------------------------------------------------------------------------------


def figures(labelled: list[dict], ranked: dict[str, list[tuple[int, float, bool]]]) -> dict:
    """recall@5, MRR, cross-language recall@5 and the distractor share from ranked results per id.

    ``ranked[id]`` is a list of (labelled index or -1, score, flagged duplicate) best first.
    """
    clusters: dict[str, list[int]] = {}
    for position, item in enumerate(labelled):
        clusters.setdefault(item["cluster"], []).append(position)
    hits = reciprocal = cross_hits = cross_total = queries = 0
    distractors = flagged = 0
    partner_flagged = 0
    for position, item in enumerate(labelled):
        results = ranked[item["id"]]
        partners = [p for p in clusters[item["cluster"]] if p != position]
        if not partners:
            distractors += 1
            flagged += bool(results and results[0][2])
            continue
        queries += 1
        found = [rank for rank, (other, _score, _dup) in enumerate(results[:20], 1) if other in partners]
        hits += bool(found and found[0] <= 5)
        reciprocal += 1 / found[0] if found else 0
        partner_flagged += any(other in partners and dup for other, _score, dup in results[:5])
        foreign = [p for p in partners if _group(labelled[p]["lang"]) != _group(item["lang"])]
        if foreign:
            cross_total += 1
            cross_hits += any(other in foreign for other, _score, _dup in results[:5])
    return {
        "recall_at_5": round(hits / queries, 3) if queries else None,
        "mrr": round(reciprocal / queries, 3) if queries else None,
        "cross_language_recall_at_5": round(cross_hits / cross_total, 3) if cross_total else None,
        "distractors_shown_as_duplicates": round(flagged / distractors, 3) if distractors else None,
        "partners_flagged_duplicate": round(partner_flagged / queries, 3) if queries else None,
        "queries": queries,
        "cross_language_queries": cross_total,
        "distractors": distractors,
    }


# --- the engine --------------------------------------------------------------------------------------


def _embed_part(task: tuple[Path, list[str]]) -> int:
    """In a child process: embed the texts on one thread into the cache directory (see ``prefill``)."""
    directory, texts = task
    os.environ["KENES_SIMILARITY_THREADS"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenes.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from kenes.search import embedding
    from kenes.search.embedding import VectorCache

    backend = embedding.load()
    VectorCache(directory, backend.name).embed(texts, backend, batch=32)
    return len(texts)


def prefill(cache, texts: list[str], jobs: int, log) -> None:
    """Embed the texts the cache lacks in ``jobs`` processes of one thread each: on this 2-core
    machine two one-thread processes embed about 38 texts/s, one process on two threads about 33.
    Each process writes chunk files of its own into the cache, which is read again afterwards."""
    import multiprocessing

    missing = list(dict.fromkeys(text for text in texts if cache.get(text) is None))
    if jobs <= 1 or len(missing) < 1_000:
        return
    log(f"embedding {len(missing):,} texts in {jobs} processes")
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        done = sum(pool.map(_embed_part, [(cache.root, missing[part::jobs]) for part in range(jobs)]))
    log(f"embedded {done:,} texts in {time.perf_counter() - started:.0f} s")
    cache.reload()


class CachedBackend:
    """The real backend, with vectors of texts seen before read from the on-disk cache."""

    def __init__(self, backend, cache):
        self._backend, self._cache = backend, cache
        self.name, self.dim, self.build = backend.name, backend.dim, backend.build

    def embed(self, texts):
        return self._cache.embed(list(texts), self._backend, batch=32)


def run_engine(labelled, haystack, args, log) -> tuple[dict, dict, dict]:
    import numpy as np
    from django.db import connection

    from kenes.search import embedding, similarity
    from kenes.search.embedding import VectorCache
    from kenes.search.models import Embedding

    with connection.schema_editor() as editor:
        editor.create_model(Embedding)
    real = embedding.load()
    if isinstance(real, embedding.Unavailable):
        log(f"embedding backend unavailable ({real.reason}); only the wording fallback is measured")
        engine = None
    else:
        cache = VectorCache(CACHE, real.name)
        cached = sum(cache.get(text) is not None for text in haystack)
        log(f"vectors cached for {cached:,} of {len(haystack):,} haystack texts; embedding the rest")
        prefill(cache, haystack, args.jobs, log)
        backend = CachedBackend(real, cache)

        class HarnessEngine(similarity.Engine):
            @property
            def backend(self):
                return backend

        engine = HarnessEngine()
    items = [(position + 1, item["text"]) for position, item in enumerate(labelled)]
    items += [(BASE_KEY + i, text) for i, text in enumerate(haystack)]
    started = time.perf_counter()
    indexer = engine or similarity.Engine(backend_name="lexical")
    for start in range(0, len(items), 5000):
        indexer.index(COLLECTION, items[start : start + 5000])
    log(f"indexed {len(items):,} texts in {time.perf_counter() - started:.1f} s")
    results = {}
    generated = {}
    if engine is not None:
        started = time.perf_counter()
        engine.refresh_hubs(COLLECTION, limit=len(items))
        log(f"hub scores of {len(items):,} texts in {time.perf_counter() - started:.1f} s")
        hubs = dict(Embedding.objects.filter(collection=COLLECTION).values_list("key", "hub"))
        labelled_hubs = sorted(round(hubs[position + 1], 3) for position in range(len(labelled)))
        hay_hubs = np.quantile([hubs[key] for key in hubs if key >= BASE_KEY], [0.05, 0.25, 0.5, 0.75, 0.95])
        log(f"hub r of labelled texts: {labelled_hubs}")
        log(f"hub r of generated texts (5/25/50/75/95 %): {[round(float(v), 3) for v in hay_hubs]}")
        results["engine"] = evaluate(engine, labelled, k=20)
        generated = generated_check(engine, haystack, args.generated_checks)
        log(
            sweep(
                labelled,
                results["engine"].pop("_ranked"),
                generated.pop("_other_scores", []),
                generated.pop("_same_scores", []),
            )
        )
    fallback = similarity.Engine(backend_name="lexical")
    results["lexical_fallback"] = evaluate(fallback, labelled, k=20)
    results["lexical_fallback"].pop("_ranked")
    del np
    return results, generated, {"model": getattr(engine and engine.backend, "name", "")}


def evaluate(engine, labelled, *, k) -> dict:
    ranked, timings = {}, []
    for position, item in enumerate(labelled):
        started = time.perf_counter()
        matches = engine.similar(COLLECTION, item["text"], k=k, exclude={position + 1})
        timings.append(time.perf_counter() - started)
        ranked[item["id"]] = [
            (match.key - 1 if match.key <= len(labelled) else -1, match.score, match.duplicate)
            for match in matches
        ]
    result = figures(labelled, ranked)
    result["_ranked"] = ranked
    timings.sort()
    result["query_ms_p50"] = round(1000 * timings[len(timings) // 2], 1)
    return result


def generated_check(engine, haystack, count) -> dict:
    """False duplicates on generated texts with their whole theme excluded (hundreds of distractors)."""
    if not count:
        return {}
    themes = haystack_themes(len(haystack))
    by_theme: dict[str, set[int]] = {}
    for i, theme in enumerate(themes):
        by_theme.setdefault(theme, set()).add(BASE_KEY + i)
    rng = random.Random(7)
    sample = rng.sample(range(len(haystack)), min(count, len(haystack)))
    flagged = same_theme_top = same_theme_flagged = 0
    other_scores, same_scores = [], []
    for i in sample:
        own = by_theme[themes[i]]
        other = engine.similar(COLLECTION, haystack[i], k=1, exclude=own)
        flagged += bool(other and other[0].duplicate)
        other_scores.append(other[0].score if other else -9)
        best = engine.similar(COLLECTION, haystack[i], k=1, exclude={BASE_KEY + i})
        if best and best[0].key in own:
            same_theme_top += 1
            same_theme_flagged += best[0].duplicate
            same_scores.append(best[0].score)
    return {
        "texts": len(sample),
        "other_problem_flagged_duplicate": round(flagged / len(sample), 3),
        "best_match_same_theme": round(same_theme_top / len(sample), 3),
        "same_theme_best_flagged_duplicate": round(same_theme_flagged / len(sample), 3),
        "_other_scores": other_scores,
        "_same_scores": same_scores,
    }


def sweep(labelled, ranked, other_scores, same_scores) -> str:
    """Score distributions and the figures at other thresholds, to choose the threshold with care."""
    clusters: dict[str, list[int]] = {}
    for position, item in enumerate(labelled):
        clusters.setdefault(item["cluster"], []).append(position)
    partner_best, distractor_best = [], []
    for position, item in enumerate(labelled):
        results = ranked[item["id"]]
        partners = [p for p in clusters[item["cluster"]] if p != position]
        if partners:
            scores = [score for other, score, _ in results if other in partners]
            partner_best.append(max(scores) if scores else -9)
        else:
            distractor_best.append(results[0][1] if results else -9)
    lines = [
        "threshold  dev-partners-flagged  dev-distractors-flagged  generated-other-problem-flagged  same-theme-flagged"
    ]
    for threshold in (0.0, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15, 0.18, 0.2, 0.25, 0.3):

        def share(values, t=threshold):
            return round(sum(v >= t for v in values) / len(values), 3) if values else None

        lines.append(
            f"{threshold:9} {share(partner_best)!s:>21} {share(distractor_best)!s:>24} "
            f"{share(other_scores)!s:>32} {share(same_scores)!s:>19}"
        )
    quantiles = lambda values: [round(v, 3) for v in sorted(values)[:: max(1, len(values) // 5)]]  # noqa: E731
    lines.append(f"partner best scores: {quantiles(partner_best)}")
    lines.append(f"distractor best scores: {sorted(round(v, 3) for v in distractor_best)}")
    lines.append(f"generated other-problem best scores (quintiles): {quantiles(other_scores)}")
    return "\n".join(lines)


# --- PostgreSQL baselines ------------------------------------------------------------------------------


def run_baselines(labelled, haystack, log) -> dict:
    try:
        import psycopg
    except ImportError:
        log("psycopg is not installed: pg_trgm and word search skipped")
        return {}
    database = f"kenes_eval_similarity_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except Exception as error:
        log(
            f"PostgreSQL at {POSTGRES} is unreachable ({error.__class__.__name__}): pg_trgm and word search skipped"
        )
        return {}
    admin.execute(f'CREATE DATABASE "{database}"')
    try:
        with psycopg.connect(f"{POSTGRES}/{database}", autocommit=True) as db:
            db.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            db.execute("CREATE TABLE docs (id bigint PRIMARY KEY, body text, words tsvector)")
            with db.cursor().copy("COPY docs (id, body) FROM STDIN") as copy:
                for position, item in enumerate(labelled):
                    copy.write_row((position + 1, item["text"]))
                for i, text in enumerate(haystack):
                    copy.write_row((BASE_KEY + i, text))
            db.execute("UPDATE docs SET words = to_tsvector('simple', body)")
            db.execute("CREATE INDEX ON docs USING gist (body gist_trgm_ops)")
            db.execute("CREATE INDEX ON docs USING gin (words)")
            db.execute("ANALYZE docs")
            trigram, words = {}, {}
            for position, item in enumerate(labelled):
                own = position + 1
                rows = db.execute(
                    "SELECT id, similarity(body, %s) FROM docs WHERE id <> %s ORDER BY body <-> %s LIMIT 20",
                    (item["text"], own, item["text"]),
                ).fetchall()
                trigram[item["id"]] = [
                    (key - 1 if key <= len(labelled) else -1, s, s >= 0.3) for key, s in rows
                ]
                terms = (
                    db.execute(
                        "SELECT array_agg(DISTINCT lexeme) FROM unnest(to_tsvector('simple', %s))",
                        (item["text"],),
                    ).fetchone()[0]
                    or []
                )
                query = " | ".join(term.replace("'", "") for term in terms if term.replace("'", ""))
                rows = db.execute(
                    "SELECT id, ts_rank(words, to_tsquery('simple', %s)) AS rank, tsvector_to_array(words) "
                    "FROM docs WHERE id <> %s AND words @@ to_tsquery('simple', %s) "
                    "ORDER BY rank DESC, id LIMIT 20",
                    (query, own, query),
                ).fetchall()
                words[item["id"]] = [
                    (
                        key - 1 if key <= len(labelled) else -1,
                        rank,
                        len(set(terms) & set(lexemes)) >= 0.5 * len(terms),
                    )
                    for key, rank, lexemes in rows
                ]
        return {"pg_trgm": figures(labelled, trigram), "word_search": figures(labelled, words)}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
        admin.close()


BACKGROUND_SEED = 77  # not the haystack's seed: the background must not contain haystack texts
BACKGROUND_SIZE = 2_000


def build_background(log) -> int:
    """Embed the background corpus of the engine's hub scores (``similarity.background``) and save it."""
    import numpy as np

    from kenes.issues.textgen import generate
    from kenes.search import embedding, similarity
    from kenes.search.embedding import VectorCache

    backend = embedding.load()
    if isinstance(backend, embedding.Unavailable):
        log(f"embedding backend unavailable: {backend.reason}")
        return 1
    texts = [
        issue.text for issue in generate(BACKGROUND_SIZE, seed=BACKGROUND_SEED, languages=("kk", "ru", "en"))
    ]
    vectors = VectorCache(CACHE, backend.name).embed(texts, backend, batch=32)
    path = similarity.BACKGROUND_DIR / f"background--{backend.name.replace('/', '_')}.npy"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors.astype(np.float16))
    log(f"wrote {len(vectors):,} background vectors to {path}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("DATA") or "")
    parser.add_argument("--haystack", type=int, default=int(os.environ.get("HAYSTACK") or 0))
    parser.add_argument("--generated-checks", type=int, default=300)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes embedding uncached texts"
    )
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument(
        "--build-background", action="store_true", help="write the engine's background corpus"
    )
    parser.add_argument("--lexical-weight", type=float, default=None, help="override, for tuning")
    parser.add_argument("--lexical-floor", type=float, default=None, help="override, for tuning")
    args = parser.parse_args()
    data = Path(args.data) if args.data else (SHARED_DEV if SHARED_DEV.exists() else COPY_DEV)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    scratch = tempfile.mkdtemp(prefix="kenes-eval-similarity-")
    os.environ["KENES_DATABASE_URL"] = f"sqlite:///{scratch}/eval.sqlite3"
    os.environ["KENES_SIMILARITY_INDEX_DIR"] = f"{scratch}/index"
    os.environ.setdefault("KENES_SIMILARITY_THREADS", "2")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenes.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings

    from kenes.search import embedding
    from kenes.search.embedding import VectorCache

    if args.lexical_weight is not None:
        from kenes.search import similarity

        similarity.LEXICAL_WEIGHT = args.lexical_weight
    if args.lexical_floor is not None:
        from kenes.search import similarity

        similarity.LEXICAL_FLOOR = args.lexical_floor
    if args.build_background:
        return build_background(log)
    labelled = load_labelled(data)
    count = args.haystack
    if not count:
        backend = embedding.load()
        count = 20_000
        if not isinstance(backend, embedding.Unavailable):
            cache = VectorCache(CACHE, backend.name)
            if len(cache) >= 100_000 and all(cache.get(text) is not None for text in haystack_texts(100_000)):
                count = 100_000
    haystack = haystack_texts(count)
    log(f"{data}: {len(labelled)} labelled texts inside {count:,} generated issues")
    started = time.perf_counter()
    results, generated, meta = run_engine(labelled, haystack, args, log)
    if not args.no_baselines:
        results.update(run_baselines(labelled, haystack, log))
    threshold = settings.KENES_SIMILARITY_THRESHOLD
    print(f"\n{'method':18} {'R@5':>6} {'MRR':>6} {'xR@5':>6} {'distr.dup':>10} {'partner dup':>12}")
    for method, values in results.items():
        print(
            f"{method:18} {values['recall_at_5']!s:>6} {values['mrr']!s:>6} "
            f"{values['cross_language_recall_at_5']!s:>6} {values['distractors_shown_as_duplicates']!s:>10} "
            f"{values['partners_flagged_duplicate']!s:>12}"
        )
    if generated:
        print(f"generated check (engine, threshold {threshold}): {json.dumps(generated)}")
    summary = {
        "data": str(data),
        "haystack": count,
        "threshold": threshold,
        "model": meta.get("model"),
        "seconds": round(time.perf_counter() - started, 1),
        **results,
        "generated_check": generated,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
