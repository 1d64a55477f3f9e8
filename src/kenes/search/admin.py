"""The similarity engine in the admin: its state on top of the stored embeddings (read-only)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import checks, similarity  # noqa: F401  (checks: registers the backend warning)
from .models import Embedding


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    list_display = ("collection", "key", "model_name", "has_vector", "hub", "updated_at")
    list_filter = ("collection", "model_name")
    search_fields = ("text",)
    readonly_fields = [field.name for field in Embedding._meta.fields]
    exclude = ("vector",)

    @admin.display(boolean=True, description=_("vector"))
    def has_vector(self, obj):
        return obj.vector is not None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        state = similarity.status()
        if state.available:
            self.message_user(
                request,
                _("Similarity engine: %(model)s (%(build)s build); %(vectors)d of %(texts)d texts embedded.")
                % {
                    "model": state.model,
                    "build": state.build,
                    "vectors": state.vectors_stored,
                    "texts": state.texts_stored,
                },
                messages.INFO,
            )
        else:
            self.message_user(
                request,
                _(
                    "The embedding backend is unavailable (%(reason)s): similar problems are matched by wording only."
                )
                % {"reason": state.reason},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)
