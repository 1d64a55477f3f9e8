"""Loading the embedding engine must not change the process's floating-point mode.

A library linked with -ffast-math carries crtfastmath.o, which turns on flush-to-zero for the whole
process when it loads: every tiny float computed anywhere afterwards becomes 0.
"""

import pytest

from kenes.search import embedding


@pytest.mark.django_db
def test_embedding_keeps_subnormal_floats():
    backend = embedding.load()
    assert not isinstance(backend, embedding.Unavailable), backend
    backend.embed(["Ауыз су жоқ"])
    smallest_normal = 2.2250738585072014e-308
    assert smallest_normal / 3 > 0
