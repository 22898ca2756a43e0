"""Admin of the sync engine: the computers (nodes) with their lag and conflicts, the
connection codes that bring a computer in, the conflict log and the change log."""
from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.sync.models import SyncChange, SyncConflict, SyncNode
from apps.sync.selectors import nodes_with_status
from apps.sync.services.conflicts import conflicts_resolve
from apps.sync.services.nodes import (
    NodeRevokedError,
    connection_code_make,
    node_create,
    node_revoke,
    node_token_replace,
)

# --- nodes ------------------------------------------------------------------------------------


class RevokedFilter(admin.SimpleListFilter):
    title = _("access")
    parameter_name = "access"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("revoked", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(SyncNode)
class SyncNodeAdmin(admin.ModelAdmin):
    """Computers that synchronise. A node is added for a user here (the admin then hands
    over a connection code) or registers itself with the user's password. Nodes are
    revoked, never deleted: the change log and the conflict log refer to them."""

    list_display = (
        "name", "owner", "last_seen_at", "app_version", "acked_version", "lag", "open_conflicts", "is_revoked",
    )
    list_filter = (RevokedFilter, ("owner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "owner__username", "owner__full_name")
    autocomplete_fields = ("owner",)
    actions = ["revoke_selected"]
    add_fields = ("owner", "name")
    # The token hash and the last message's results stay out: neither helps a person, and
    # the hash is a secret's stand-in.
    change_fields = (
        "name", "owner", "node_id", "app_version", "created_at", "last_seen_at", "revoked_at",
        "last_message_no", "acked_version", "lag", "open_conflicts",
    )

    def get_queryset(self, request):
        return nodes_with_status(super().get_queryset(request))

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.change_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return tuple(name for name in self.change_fields if name != "name")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("lag"), ordering="lag")
    def lag(self, node: SyncNode) -> int:
        return node.lag

    @admin.display(description=_("open conflicts"), ordering="open_conflicts")
    def open_conflicts(self, node: SyncNode):
        if not node.open_conflicts:
            return 0
        url = reverse("admin:sync_syncconflict_changelist")
        return format_html(
            '<a href="{}?node__id__exact={}&amp;{}={}">{}</a>',
            url, node.pk, ConflictStateFilter.parameter_name, ConflictStateFilter.OPEN, node.open_conflicts,
        )

    @admin.display(description=_("revoked"), boolean=True, ordering="revoked_at")
    def is_revoked(self, node: SyncNode) -> bool:
        return node.is_revoked

    # Adding a node: created through the service, then its connection code is shown once.

    def add_view(self, request, form_url="", extra_context=None):
        # One way out of the add form: saving, which shows the code. "Save and add another"
        # would hide the code behind a redirect.
        extra_context = {
            **(extra_context or {}),
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
        }
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        node, token = node_create(owner=form.cleaned_data["owner"], name=form.cleaned_data["name"])
        # The admin carries on with ``obj`` (history entry, response): make it the node just
        # created. The token rides along in memory only, to the response that shows it.
        obj.pk = node.pk
        obj.refresh_from_db()
        obj._state.adding = False
        obj._issued_token = token

    def response_add(self, request, obj, post_url_continue=None):
        token = getattr(obj, "_issued_token", None)
        if token is None:
            return super().response_add(request, obj, post_url_continue)
        return self._connection_code_response(request, obj, token, replaced=False)

    def _connection_code_response(self, request, node: SyncNode, token: str, *, replaced: bool):
        """The page that shows a node's connection code, the only time it is ever shown.

        It is the answer to the POST that made the token, so the code is in no URL, no
        message, no session and no log, and the page must not be cached either.
        """
        server_url = request.build_absolute_uri(get_script_prefix()).rstrip("/")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "node": node,
            "code": connection_code_make(node_id=node.node_id, token=token, server_url=server_url),
            "server_url": server_url,
            "replaced": replaced,
            "title": gettext("Connection code for %(name)s") % {"name": node.name},
        }
        response = TemplateResponse(request, "admin/sync/syncnode/connection_code.html", context)
        add_never_cache_headers(response)
        return response

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<path:object_id>/connection-code/",
                self.admin_site.admin_view(self.connection_code_view),
                name="%s_%s_connection_code" % info,
            ),
        ]
        # Before the default URLs, whose catch-all "<object_id>/" would swallow these.
        return own + super().get_urls()

    def connection_code_view(self, request, object_id):
        """Replace a node's token: a confirmation page, then (on POST) the new code, once."""
        node = self.get_object(request, unquote(object_id))
        if node is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, node):
            raise PermissionDenied
        change_url = reverse("admin:sync_syncnode_change", args=[node.pk])
        revoked_message = gettext("This computer's access is revoked; add a new computer to issue a connection code.")
        if node.is_revoked:
            messages.error(request, revoked_message)
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            try:
                token = node_token_replace(node=node)
            except NodeRevokedError:  # revoked between the confirmation page and the click
                messages.error(request, revoked_message)
                return HttpResponseRedirect(change_url)
            self.log_change(request, node, gettext("Issued a new connection code."))
            return self._connection_code_response(request, node, token, replaced=True)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "node": node,
            "change_url": change_url,
            "title": gettext("Issue a new connection code"),
        }
        return TemplateResponse(request, "admin/sync/syncnode/connection_code_confirmation.html", context)

    @admin.action(description=_("Revoke access of the selected computers"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        """Revocation cannot be undone, so the action asks first (as Django's delete does)."""
        if not request.POST.get("confirmed"):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "nodes": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "title": gettext("Revoke access"),
            }
            return TemplateResponse(request, "admin/sync/syncnode/revoke_confirmation.html", context)
        nodes = list(queryset)
        revoked = [node for node in nodes if node_revoke(node=node)]
        for node in revoked:
            self.log_change(request, node, gettext("Revoked access."))
        if revoked:
            self.message_user(
                request,
                ngettext(
                    "Revoked the access of %(count)d computer: its next request is refused.",
                    "Revoked the access of %(count)d computers: their next requests are refused.",
                    len(revoked),
                )
                % {"count": len(revoked)},
                messages.SUCCESS,
            )
        already = len(nodes) - len(revoked)
        if already:
            self.message_user(
                request,
                ngettext(
                    "%(count)d computer was revoked already.", "%(count)d computers were revoked already.", already
                )
                % {"count": already},
                messages.WARNING,
            )
        return None


# --- conflict log ------------------------------------------------------------------------------


class ConflictStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"
    OPEN = "open"
    RESOLVED = "resolved"

    def lookups(self, request, model_admin):
        return [(self.OPEN, _("Open")), (self.RESOLVED, _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() == self.OPEN:
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == self.RESOLVED:
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@dataclass(frozen=True)
class ComparedField:
    """One field of a conflict's two records, as the detail page shows it."""

    name: str
    node_value: str
    server_value: str
    differs: bool
    has_reason: bool


ABSENT = object()


def _pretty(value) -> str:
    if value is ABSENT:
        return "—"
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def _record_parts(record) -> tuple[dict, dict]:
    """The envelope fields that may differ (``op``) and the data fields of a wire record."""
    if not isinstance(record, dict):
        return {}, {}
    data = record.get("data")
    return {"op": record.get("op", ABSENT)}, data if isinstance(data, dict) else {}


def record_comparison(node_record, server_record, reasons) -> list[ComparedField]:
    """The node's and the server's record field by field, those that differ marked.

    A rejected record has no server side; its fields named in the reasons are marked
    instead (``lines.0.quantity`` marks ``lines``).
    """
    node_envelope, node_data = _record_parts(node_record)
    server_envelope, server_data = _record_parts(server_record)
    has_server = server_record is not None
    reason_fields = {str(key).split(".")[0] for key in (reasons if isinstance(reasons, dict) else {})}
    rows = []
    for source_node, source_server in ((node_envelope, server_envelope), (node_data, server_data)):
        names = list(source_node) + [name for name in source_server if name not in source_node]
        for name in names:
            node_value = source_node.get(name, ABSENT)
            server_value = source_server.get(name, ABSENT)
            rows.append(
                ComparedField(
                    name=name,
                    node_value=_pretty(node_value),
                    server_value=_pretty(server_value) if has_server else "",
                    differs=has_server and node_value != server_value,
                    has_reason=name in reason_fields,
                )
            )
    return rows


def reasons_as_lines(reasons) -> list[str]:
    """Rejection reasons (``{"field": ["message", ...]}``) as sentences a person reads."""
    if not isinstance(reasons, dict):
        return [str(reasons)] if reasons else []
    lines = []
    for field, messages_of_field in reasons.items():
        items = messages_of_field if isinstance(messages_of_field, list) else [messages_of_field]
        lines.extend(f"{field}: {message}" for message in items)
    return lines


@admin.register(SyncConflict)
class SyncConflictAdmin(admin.ModelAdmin):
    """The conflict log: read-only but for marking entries resolved."""

    list_display = (
        "created_at", "node", "outcome", "resolution", "record_type", "record_uuid", "message_no", "is_resolved",
    )
    list_filter = (
        ConflictStateFilter, ("node", admin.RelatedOnlyFieldListFilter), "outcome", "resolution", "record_type",
    )
    list_select_related = ("node",)
    search_fields = ("record_uuid",)
    actions = ["resolve_selected"]
    fields = (
        "node", "message_no", "created_at", "outcome", "resolution", "record_type", "record_uuid",
        "base_version", "server_version", "resolved_at", "resolved_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("resolved"), boolean=True, ordering="resolved_at")
    def is_resolved(self, conflict: SyncConflict) -> bool:
        return conflict.resolved_at is not None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every field is read-only: the page shows, the resolve URL changes.
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET"])
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                comparison=record_comparison(obj.node_record, obj.server_record, obj.reasons),
                reasons=reasons_as_lines(obj.reasons),
                node_record_json=_pretty(obj.node_record),
                server_record_json=_pretty(obj.server_record) if obj.server_record is not None else "",
                can_resolve=obj.resolved_at is None and self.has_change_permission(request, obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<path:object_id>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="%s_%s_resolve" % info,
            ),
        ]
        return own + super().get_urls()

    def resolve_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        conflict = self.get_object(request, unquote(object_id))
        if conflict is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, conflict):
            raise PermissionDenied
        if conflicts_resolve(conflicts=self.get_queryset(request).filter(pk=conflict.pk), user=request.user):
            self.message_user(request, gettext("Marked as resolved."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:sync_syncconflict_change", args=[conflict.pk]))

    @admin.action(description=_("Mark as resolved"), permissions=["change"])
    def resolve_selected(self, request, queryset):
        resolved = conflicts_resolve(conflicts=queryset, user=request.user)
        self.message_user(
            request,
            ngettext("Marked %(count)d entry as resolved.", "Marked %(count)d entries as resolved.", resolved)
            % {"count": resolved},
            messages.SUCCESS,
        )


# --- change log --------------------------------------------------------------------------------


@admin.register(SyncChange)
class SyncChangeAdmin(admin.ModelAdmin):
    """The change log, to look at only: the engine alone writes it."""

    list_display = ("version", "record_type", "record_uuid", "op", "origin_node", "changed_at")
    list_filter = ("record_type", "op", ("origin_node", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("origin_node",)
    search_fields = ("record_uuid",)
    ordering = ("-version",)
    # A change with no origin node was made in the office (admin or server code).
    empty_value_display = _("office")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
