"""Admin building blocks for synced models: deleted records hidden by default, shown by a
filter, restorable by an action; history from django-simple-history."""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from apps.sync import registry


class DeletedFilter(admin.SimpleListFilter):
    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", _("Deleted only")), ("all", _("All, deleted included"))]

    def choices(self, changelist):
        # The unfiltered choice means "live records only", so name it that way.
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Live only"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_deleted=True)
        if self.value() == "all":
            return queryset
        return queryset.filter(is_deleted=False)


class SyncedModelAdmin(SimpleHistoryAdmin):
    """Base admin of a synced model. The change form also opens deleted records, so that
    a clerk can look at one before restoring it."""

    actions = ["restore_selected"]
    readonly_sync_fields = ("uuid", "updated_at", "is_deleted")

    def get_queryset(self, request):
        queryset = self.model.all_objects.get_queryset()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_list_filter(self, request):
        return (DeletedFilter, *super().get_list_filter(request))

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.readonly_sync_fields)

    def get_deleted_objects(self, objs, request):
        """What a delete will mark: the records and their live lines. Nothing is removed,
        so nothing is "protected" the way Django's hard-delete collector would report it."""
        options = registry.options_for(self.model)
        lines = options.lines if options is not None else None
        to_delete, model_count = [], {}
        for obj in objs:
            children = []
            if lines is not None:
                children = [str(line) or str(line.pk) for line in getattr(obj, lines.related_name).all()]
                model_count[lines.model._meta.verbose_name_plural] = (
                    model_count.get(lines.model._meta.verbose_name_plural, 0) + len(children)
                )
            to_delete.append(str(obj))
            if children:
                to_delete.append(children)
            model_count[self.model._meta.verbose_name_plural] = model_count.get(
                self.model._meta.verbose_name_plural, 0
            ) + 1
        perms_needed = set() if self.has_delete_permission(request) else {self.model._meta.verbose_name}
        return to_delete, model_count, perms_needed, []

    @admin.action(description=_("Restore selected deleted records"), permissions=["change"])
    def restore_selected(self, request, queryset):
        restored = queryset.restore()
        self.message_user(
            request,
            ngettext("Restored %(count)d record.", "Restored %(count)d records.", restored) % {"count": restored},
            messages.SUCCESS,
        )
