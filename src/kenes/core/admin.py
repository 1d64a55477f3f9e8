"""Administration of reference data, users and roles, the calendar and the audit log.

Every change made here goes through ``log_action`` like any other write, retiring replaces
deleting for reference data, and an object's "History" page shows its audit timeline.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.forms.models import model_to_dict
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import services
from .audit import field_changes, log_action
from .models import (
    CalendarOverride,
    District,
    FormerName,
    LogEntry,
    Region,
    RoleAssignment,
    StateBody,
    Topic,
    User,
    VulnerableGroup,
)
from .selectors import timeline_for


def _snapshot(obj) -> dict:
    if obj is None or obj.pk is None:
        return {}
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    return model_to_dict(fresh) if fresh is not None else {}


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin whose saves and deletions are written to the audit log, with a timeline as history."""

    def save_model(self, request, obj, form, change):
        before = _snapshot(obj) if change else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = model_to_dict(obj)
            action = f"{obj._meta.app_label}.{obj._meta.model_name}.{'changed' if change else 'created'}"
            log_action(obj, action, actor=request.user, data=field_changes(before, after))

    def delete_model(self, request, obj):
        with transaction.atomic():
            log_action(
                obj,
                f"{obj._meta.app_label}.{obj._meta.model_name}.deleted",
                actor=request.user,
                data=model_to_dict(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("History of changes: %(object)s") % {"object": obj},
            "object": obj,
            "opts": self.opts,
            "timeline": timeline_for(obj, limit=200),
        }
        return TemplateResponse(request, "admin/kenes_history.html", context)


class PermissionByRuleAdmin(AuditedModelAdmin):
    """Admin pages open to whoever holds ``permission`` (a django-rules permission), not Django's
    per-model permissions: the coordination centre manages reference data without being superuser."""

    permission = ""

    def _allowed(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and request.user.has_perm(self.permission)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)


class ReferenceAdmin(PermissionByRuleAdmin):
    """Reference data: searchable in all three languages; retire and restore instead of delete."""

    permission = "core.manage_reference_data"

    search_fields = ["code", "name_kk", "name_ru", "name_en"]
    list_display = ["code", "name_kk", "name_ru", "name_en", "is_alive"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter)]
    actions = ["retire", "restore"]

    @admin.display(boolean=True, description=_("in use"))
    def is_alive(self, obj):
        return obj.deleted_at is None

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retire the selected rows"))
    def retire(self, request, queryset):
        for obj in queryset:
            services.reference_retire(obj=obj, acting_user=request.user)
        self.message_user(request, _("Retired."), messages.SUCCESS)

    @admin.action(description=_("Restore the selected rows"))
    def restore(self, request, queryset):
        for obj in queryset:
            services.reference_restore(obj=obj, acting_user=request.user)
        self.message_user(request, _("Restored."), messages.SUCCESS)


@admin.register(Region)
class RegionAdmin(ReferenceAdmin):
    list_display = ["code", "iso_code", "name_kk", "name_ru", "name_en", "kind", "is_alive"]


@admin.register(District)
class DistrictAdmin(ReferenceAdmin):
    list_display = ["code", "name_kk", "name_ru", "name_en", "region", "kind", "is_alive"]
    list_filter = ["region", "kind", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["region"]


@admin.register(StateBody)
class StateBodyAdmin(ReferenceAdmin):
    list_display = ["code", "name_kk", "name_ru", "kind", "level", "region", "is_alive"]
    list_filter = ["kind", "level", "region", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["region"]
    raw_id_fields = ["parent", "district"]


@admin.register(Topic)
class TopicAdmin(ReferenceAdmin):
    pass


@admin.register(VulnerableGroup)
class VulnerableGroupAdmin(ReferenceAdmin):
    pass


@admin.register(FormerName)
class FormerNameAdmin(PermissionByRuleAdmin):
    permission = "core.manage_reference_data"
    list_display = ["name_kk", "name_ru", "name_en", "content_type", "object_id", "valid_from", "valid_to"]
    list_filter = ["content_type"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(PermissionByRuleAdmin):
    permission = "core.manage_work_calendar"
    list_display = ["day", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "day"


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ["role", "content_type", "object_id", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff", "preferred_language"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "preferred_language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]
    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        # People are switched off, never deleted: the audit log keeps pointing at them.
        return False

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            instances = formset.save(commit=False)
            for assignment in formset.deleted_objects:
                services.role_revoke(assignment=assignment, acting_user=None)
            for assignment in instances:
                services.role_grant(
                    user=assignment.user, role=assignment.role, target=assignment.target, acting_user=None
                )
            formset.save_m2m()


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ["sequence", "timestamp", "actor_repr", "action", "content_type", "object_repr"]
    list_filter = ["content_type", "action"]
    search_fields = ["object_repr", "actor_repr", "action"]
    date_hierarchy = "timestamp"
    readonly_fields = [f.name for f in LogEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
