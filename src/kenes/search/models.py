"""Stored vectors and wording of the texts the similarity engine compares (kenes.search.similarity).

The search app imports no domain app: a collection name ("issues") and the domain's integer key
identify each text. The table is the truth; every process's nearest-neighbour index is a cache of it.
"""

from __future__ import annotations

import numpy as np
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Embedding(models.Model):
    collection = models.CharField(_("collection"), max_length=40)
    key = models.BigIntegerField(_("key"))
    text = models.TextField(_("text"))  # kept so a model change can re-embed without the domain app
    text_hash = models.CharField(_("text hash"), max_length=64)
    # The folded, stemmed words (kenes.search.stemming): lexical evidence and the fallback use them.
    lexical = models.TextField(_("folded stems"), blank=True, default="")
    # Empty with a null vector while the embedding backend is unavailable; the worker fills it later.
    model_name = models.CharField(_("model"), max_length=100, blank=True, default="")
    vector = models.BinaryField(_("vector"), null=True, blank=True)  # little-endian float32, unit length
    # CSLS hubness: mean cosine to the k nearest other texts of the collection.
    hub = models.FloatField(_("hub score"), null=True, blank=True)
    hub_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("text embedding")
        verbose_name_plural = _("text embeddings")
        constraints = [
            models.UniqueConstraint(fields=["collection", "key"], name="search_embedding_unique_key")
        ]
        indexes = [
            models.Index(fields=["collection", "model_name", "updated_at"], name="search_emb_catchup"),
            models.Index(fields=["collection", "hub_at"], name="search_emb_hub_age"),
        ]

    def __str__(self) -> str:
        return f"{self.collection}#{self.key}"

    @property
    def array(self) -> np.ndarray | None:
        return None if self.vector is None else np.frombuffer(bytes(self.vector), dtype="<f4")
