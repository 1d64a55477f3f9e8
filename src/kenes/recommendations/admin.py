from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import BodyToken, Dispatch, Recommendation


class DispatchInline(admin.TabularInline):
    model = Dispatch
    extra = 0
    fields = ["body", "sent_on", "due_on", "answer", "answered_on"]
    readonly_fields = fields
    can_delete = False


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["title", "council", "status", "sent_on"]
    list_filter = ["status"]
    search_fields = ["title"]
    readonly_fields = ["status", "adopted_on", "signed_by", "signed_at", "sent_on", "version"]
    inlines = [DispatchInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BodyToken)
class BodyTokenAdmin(admin.ModelAdmin):
    """Coordinators and administrators create a token for a body's system; the raw value is shown once."""

    list_display = ["body", "name", "prefix", "acting_user", "created_at", "last_used_at", "revoked_at"]
    fields = ["body", "name", "acting_user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def _may(self, request) -> bool:
        return request.user.has_perm("recommendations.manage_body_tokens")

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return False  # a token is created or revoked, never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        token, raw = services.body_token_create(
            body=obj.body, name=obj.name, officer=obj.acting_user, acting_user=request.user
        )
        # The admin goes on with the saved row (for its own log and the redirect).
        obj.pk, obj.prefix, obj.token_hash, obj.created_at = (
            token.pk,
            token.prefix,
            token.token_hash,
            token.created_at,
        )
        obj._state.adding = False
        messages.warning(request, _("Copy the token now; it is not shown again: %(token)s") % {"token": raw})

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.body_token_revoke(token=token, acting_user=request.user)
