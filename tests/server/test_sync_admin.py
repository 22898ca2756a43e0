"""Node administration: lag and conflict figures, connection codes, revoking, the conflict
log and the change log in the admin."""
from __future__ import annotations

import base64
import html
import re
import uuid

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.sync import capture, errors
from apps.sync.models import SyncChange, SyncConflict, SyncNode
from apps.sync.selectors import conflicts_open, node_lag, node_open_conflicts_count, nodes_with_status
from apps.sync.services.nodes import (
    ConnectionCodeError,
    connection_code_make,
    connection_code_parse,
    node_for_token,
    node_revoke,
    token_hash,
)
from tests.factories import UserFactory, WorkSpecificationFactory
from tests.server.sync_helpers import Node, spec_record, timesheet_record, version_of

pytestmark = pytest.mark.django_db

CODE_IN_PAGE = re.compile(r'<textarea id="connection-code"[^>]*>([^<]+)</textarea>')


def conflict_make(node: Node, *, name_on_node="Dug by hand") -> SyncConflict:
    """A real conflict: the office edits a record the node edits too, from an older version."""
    spec = WorkSpecificationFactory(name="Excavation")
    node.pull_all()
    base = version_of(spec)
    spec.name = "Excavation by machine"
    spec.save()
    record = spec_record(spec.uuid, base_version=base, code=spec.code, name=name_on_node, unit="m3",
                         unit_price="1500.00")
    outcome = node.exchange([record])
    assert outcome.results[0]["status"] == "conflict"
    return SyncConflict.objects.get(node=node.model, record_uuid=str(spec.uuid))


def rejection_make(node: Node) -> SyncConflict:
    """A real rejection: a timesheet of a worker the server does not have."""
    missing_worker = uuid.uuid4()
    outcome = node.exchange([timesheet_record(missing_worker)])
    assert outcome.results[0]["status"] == "rejected"
    return SyncConflict.objects.get(node=node.model, outcome=SyncConflict.Outcome.REJECTED)


def fresh(node: Node) -> SyncNode:
    """The node's row as the exchanges left it (the helper's instance is not updated)."""
    node.model.refresh_from_db()
    return node.model


def code_from(response) -> str:
    match = CODE_IN_PAGE.search(response.content.decode())
    assert match, "no connection code on the page"
    return html.unescape(match.group(1)).strip()


# --- selectors: lag and open conflicts ----------------------------------------------------


def test_lag_counts_unacknowledged_changes_except_the_node_own():
    first, second = Node("first"), Node("second")
    first.pull_all()
    second.pull_all()
    assert node_lag(fresh(first)) == node_lag(fresh(second)) == 0

    WorkSpecificationFactory.create_batch(2)  # office changes: both nodes are due them
    first.exchange([spec_record(code="FROM-FIRST")])  # acknowledges what it had, sends one of its own
    assert node_lag(fresh(first)) == 2  # its own change is not counted: it is never sent back
    assert node_lag(fresh(second)) == 3

    first.exchange()  # acknowledges what the previous response brought
    assert node_lag(fresh(first)) == 0


def test_nodes_with_status_agrees_with_the_single_node_figures_in_one_query(django_assert_num_queries):
    nodes = [Node(f"laptop {index}") for index in range(3)]
    nodes[0].pull_all()
    conflict_make(nodes[1])
    rejection_make(nodes[1])
    WorkSpecificationFactory()
    capture.write_noted()  # its change entry, which the next statement would write first
    with django_assert_num_queries(1):
        annotated = {node.pk: (node.lag, node.open_conflicts, node.owner.username) for node in nodes_with_status()}
    for node in nodes:
        assert annotated[node.model.pk][:2] == (node_lag(fresh(node)), node_open_conflicts_count(node.model))
    assert annotated[nodes[1].model.pk][1] == 2
    assert annotated[nodes[0].model.pk][1] == 0
    assert annotated[nodes[0].model.pk][0] >= 1  # the office change after its pull


def test_open_conflicts_leave_out_resolved_entries():
    node = Node()
    conflict = conflict_make(node)
    rejection = rejection_make(node)
    SyncConflict.objects.filter(pk=conflict.pk).update(resolved_at=conflict.created_at)
    assert list(conflicts_open()) == [rejection]
    assert nodes_with_status().get(pk=node.model.pk).open_conflicts == 1


# --- connection codes -------------------------------------------------------------------------


def test_connection_code_is_unpadded_base64url_of_compact_json_and_parses_back():
    node_id = uuid.uuid4()
    code = connection_code_make(node_id=node_id, token="s3cr-t_", server_url="https://sync.example.com/")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", code)
    raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4)).decode()
    assert raw == f'{{"server":"https://sync.example.com","node_id":"{node_id}","token":"s3cr-t_"}}'
    parsed = connection_code_parse(code)
    assert (parsed.server, parsed.node_id, parsed.token) == ("https://sync.example.com", node_id, "s3cr-t_")


def test_the_desktop_client_reads_the_code_the_server_makes():
    # The two sides cannot share the code (the server never imports the desktop client):
    # this keeps their formats in step.
    from desktop_client.sync.connection_code import decode_connection_code

    node_id = uuid.uuid4()
    code = connection_code_make(node_id=node_id, token="t0ken-_x", server_url="https://sync.example.com")
    decoded = decode_connection_code(code)
    assert (decoded.server, decoded.node_id, decoded.token) == ("https://sync.example.com", str(node_id), "t0ken-_x")


@pytest.mark.parametrize(
    "text",
    ["", "not a code!", "bm90IGpzb24", "eyJzZXJ2ZXIiOiJ4In0", "eyJzZXJ2ZXIiOiJ4Iiwibm9kZV9pZCI6IjEyIiwidG9rZW4iOiJ0In0"],
)
def test_a_text_that_is_not_a_connection_code_is_refused_clearly(text):
    # plain text; base64 of non-JSON; JSON without node id and token; a node id that is no uuid
    with pytest.raises(ConnectionCodeError):
        connection_code_parse(text)


def test_adding_a_node_shows_a_connection_code_once_that_carries_node_id_and_token(admin_client):
    foreman = UserFactory(username="foreman", full_name="Pyotr Ivanov")
    add_page = admin_client.get(reverse("admin:sync_syncnode_add"))
    assert add_page.status_code == 200
    assert 'name="_addanother"' not in add_page.content.decode()

    response = admin_client.post(reverse("admin:sync_syncnode_add"), {"owner": foreman.pk, "name": "Site laptop 7"})

    assert response.status_code == 200  # the code is on the answer itself, behind no redirect
    node = SyncNode.objects.get(name="Site laptop 7")
    assert node.owner == foreman
    code = code_from(response)
    parsed = connection_code_parse(code)
    assert parsed.server == "http://testserver"
    assert parsed.node_id == node.node_id
    assert token_hash(parsed.token) == node.token_hash
    assert node_for_token(parsed.token) == node
    assert "no-store" in response.headers["Cache-Control"]
    # Nowhere else: not in the history, not in the session, not on the node's page.
    history = " ".join(entry.change_message for entry in LogEntry.objects.all())
    assert parsed.token not in history and code not in history
    assert parsed.token not in str(dict(admin_client.session))
    change_page = admin_client.get(reverse("admin:sync_syncnode_change", args=[node.pk])).content.decode()
    assert parsed.token not in change_page and code not in change_page and node.token_hash not in change_page


def test_adding_a_node_without_an_owner_shows_the_form_again(admin_client):
    response = admin_client.post(reverse("admin:sync_syncnode_add"), {"name": "Nobody's laptop"})
    assert response.status_code == 200
    assert not SyncNode.objects.filter(name="Nobody's laptop").exists()
    assert CODE_IN_PAGE.search(response.content.decode()) is None


def test_issuing_a_new_connection_code_replaces_the_token(admin_client):
    node = Node("site laptop")
    node.pull_all()
    url = reverse("admin:sync_syncnode_connection_code", args=[node.model.pk])
    change_page = admin_client.get(reverse("admin:sync_syncnode_change", args=[node.model.pk])).content.decode()
    assert url in change_page

    confirmation = admin_client.get(url)
    assert confirmation.status_code == 200
    assert node_for_token(node.token) == node.model  # asking changes nothing yet

    response = admin_client.post(url)

    assert response.status_code == 200
    parsed = connection_code_parse(code_from(response))
    assert parsed.node_id == node.model.node_id
    assert node_for_token(parsed.token) == node.model
    assert node_for_token(node.token) is None  # the old token stops working
    assert "no-store" in response.headers["Cache-Control"]
    node.model.refresh_from_db()
    assert node.model.acked_version == node.ack  # the node keeps its place in the change log


def test_a_revoked_node_gets_no_new_connection_code(admin_client):
    node = Node()
    node_revoke(node=node.model)
    url = reverse("admin:sync_syncnode_connection_code", args=[node.model.pk])
    response = admin_client.post(url, follow=True)
    assert "revoked" in response.content.decode()
    assert CODE_IN_PAGE.search(response.content.decode()) is None
    assert node_for_token(node.token) == node.model
    assert url not in admin_client.get(reverse("admin:sync_syncnode_change", args=[node.model.pk])).content.decode()


# --- node list, change page, revoking -------------------------------------------------------


def test_node_list_shows_owner_lag_conflicts_and_no_secrets(admin_client):
    busy, idle = Node("busy laptop"), Node("idle laptop")
    conflict_make(busy)
    rejection_make(busy)
    idle.pull_all()
    page = admin_client.get(reverse("admin:sync_syncnode_changelist")).content.decode()
    assert "busy laptop" in page and "idle laptop" in page
    assert str(busy.model.owner) in page
    busy_row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*busy laptop(?:(?!</tr>).)*</tr>", page, re.S).group(0)
    assert f'node__id__exact={busy.model.pk}&amp;state=open">2</a>' in busy_row
    idle_row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*idle laptop(?:(?!</tr>).)*</tr>", page, re.S).group(0)
    assert '<td class="field-lag">0</td>' in idle_row
    for node in (busy, idle):
        assert node.model.token_hash not in page and node.token not in page


def test_node_list_filters_by_access_and_owner_and_searches_names(admin_client):
    kept, lost = Node("kept laptop"), Node("lost laptop")
    node_revoke(node=lost.model)
    url = reverse("admin:sync_syncnode_changelist")
    revoked_only = admin_client.get(url, {"access": "revoked"}).content.decode()
    assert "lost laptop" in revoked_only and "kept laptop" not in revoked_only
    active_only = admin_client.get(url, {"access": "active"}).content.decode()
    assert "kept laptop" in active_only and "lost laptop" not in active_only
    of_owner = admin_client.get(url, {"owner__id__exact": kept.model.owner.pk}).content.decode()
    assert "kept laptop" in of_owner and "lost laptop" not in of_owner
    found = admin_client.get(url, {"q": "lost"}).content.decode()
    assert "lost laptop" in found and "kept laptop" not in found
    by_owner = admin_client.get(url, {"q": lost.model.owner.username}).content.decode()
    assert "lost laptop" in by_owner


def test_node_change_page_shows_status_and_edits_only_the_name(admin_client):
    node = Node("site laptop")
    conflict_make(node)
    url = reverse("admin:sync_syncnode_change", args=[node.model.pk])
    page = admin_client.get(url).content.decode()
    assert str(node.model.node_id) in page
    assert 'name="name"' in page and 'name="owner"' not in page
    assert "last_results" not in page and node.model.token_hash not in page
    response = admin_client.post(url, {"name": "renamed laptop", "owner": UserFactory().pk})
    assert response.status_code == 302
    node.model.refresh_from_db()
    assert node.model.name == "renamed laptop"
    assert node_for_token(node.token) == node.model  # the token is untouched by editing


def test_nodes_cannot_be_deleted_in_the_admin(admin_client):
    node = Node()
    response = admin_client.get(reverse("admin:sync_syncnode_delete", args=[node.model.pk]))
    assert response.status_code == 403


def test_revoke_action_asks_first_then_revokes_so_the_next_request_is_refused(admin_client):
    lost, kept = Node("lost laptop"), Node("kept laptop")
    url = reverse("admin:sync_syncnode_changelist")
    selected = {"action": "revoke_selected", "_selected_action": [lost.model.pk]}

    confirmation = admin_client.post(url, {**selected, "index": 0})
    assert confirmation.status_code == 200
    assert "lost laptop" in confirmation.content.decode()
    assert not node_for_token(lost.token).is_revoked

    done = admin_client.post(url, {**selected, "confirmed": "yes"}, follow=True)

    assert "Revoked the access of 1 computer" in done.content.decode()
    assert node_for_token(lost.token).is_revoked
    assert not node_for_token(kept.token).is_revoked
    with pytest.raises(errors.ProtocolError) as refused:
        lost.exchange()
    assert refused.value.code == "node_revoked"

    again = admin_client.post(url, {**selected, "confirmed": "yes"}, follow=True)
    assert "1 computer was revoked already" in again.content.decode()


def test_office_staff_with_view_permission_see_nodes_but_cannot_revoke(client):
    clerk = UserFactory(username="viewer", is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(codename__in=["view_syncnode", "view_syncconflict"]))
    client.force_login(clerk)
    node = Node("site laptop")
    page = client.get(reverse("admin:sync_syncnode_changelist"))
    assert page.status_code == 200 and "site laptop" in page.content.decode()
    assert "revoke_selected" not in page.content.decode()
    assert client.get(reverse("admin:sync_syncnode_add")).status_code == 403
    assert client.post(reverse("admin:sync_syncnode_connection_code", args=[node.model.pk])).status_code == 403
    assert node_for_token(node.token) == node.model


# --- the conflict log -------------------------------------------------------------------------


def test_conflict_detail_shows_both_records_side_by_side_with_differences_marked(admin_client):
    conflict = conflict_make(Node("site laptop"), name_on_node="Dug by hand")
    page = admin_client.get(reverse("admin:sync_syncconflict_change", args=[conflict.pk])).content.decode()
    assert "Node's record" in page and "Server's record" in page
    name_row = re.search(r'<tr class="differs">\s*<th class="field-name" scope="row">name.*?</tr>', page, re.S)
    assert name_row, "the differing field is not highlighted"
    assert "&quot;Dug by hand&quot;" in name_row.group(0)
    assert "&quot;Excavation by machine&quot;" in name_row.group(0)
    code_row = re.search(r'<tr class="">\s*<th class="field-name" scope="row">code', page)
    assert code_row, "an equal field is highlighted"
    assert 'name="_save"' not in page  # read-only: nothing to save
    assert "Mark as resolved" in page


def test_rejection_detail_shows_the_node_record_and_the_reasons(admin_client):
    rejection = rejection_make(Node())
    page = admin_client.get(reverse("admin:sync_syncconflict_change", args=[rejection.pk])).content.decode()
    assert "Reasons" in page
    assert "worker: Refers to a user the server does not have" in page
    assert 'class=" has-reason"' in page
    assert "Server's record" not in page


def test_conflict_log_filters_by_outcome_node_state_and_searches_record_ids(admin_client):
    first, second = Node("first laptop"), Node("second laptop")
    conflict = conflict_make(first)
    rejection = rejection_make(second)
    url = reverse("admin:sync_syncconflict_changelist")

    def listed(**params) -> set[int]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return {entry.pk for entry in response.context["cl"].result_list}

    assert listed() == {conflict.pk, rejection.pk}
    assert listed(outcome__exact="rejected") == {rejection.pk}
    assert listed(node__id__exact=first.model.pk) == {conflict.pk}
    assert listed(resolution__exact="server_won") == {conflict.pk}
    assert listed(record_type="work_specification") == {conflict.pk}
    assert listed(q=conflict.record_uuid[:8]) == {conflict.pk}
    SyncConflict.objects.filter(pk=conflict.pk).update(resolved_at=conflict.created_at)
    assert listed(state="open") == {rejection.pk}
    assert listed(state="resolved") == {conflict.pk}


def test_mark_as_resolved_records_who_and_when(admin_client, admin_user):
    node = Node()
    conflict = conflict_make(node)
    rejection = rejection_make(node)

    response = admin_client.post(reverse("admin:sync_syncconflict_resolve", args=[conflict.pk]), follow=True)
    assert "Marked as resolved." in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.resolved_by == admin_user and conflict.resolved_at is not None

    admin_client.post(
        reverse("admin:sync_syncconflict_changelist"),
        {"action": "resolve_selected", "_selected_action": [conflict.pk, rejection.pk], "index": 0},
    )
    rejection.refresh_from_db()
    assert rejection.resolved_by == admin_user
    resolved_at = conflict.resolved_at
    conflict.refresh_from_db()
    assert conflict.resolved_at == resolved_at  # resolving again keeps the first resolution
    assert not conflicts_open().exists()


def test_conflict_log_is_read_only(admin_client):
    conflict = conflict_make(Node())
    assert admin_client.get(reverse("admin:sync_syncconflict_add")).status_code == 403
    assert admin_client.get(reverse("admin:sync_syncconflict_delete", args=[conflict.pk])).status_code == 403
    url = reverse("admin:sync_syncconflict_change", args=[conflict.pk])
    assert admin_client.post(url, {"record_type": "timesheet"}).status_code == 405
    assert admin_client.get(reverse("admin:sync_syncconflict_resolve", args=[conflict.pk])).status_code == 405
    conflict.refresh_from_db()
    assert conflict.record_type == "work_specification" and conflict.resolved_at is None


# --- the change log ---------------------------------------------------------------------------


def test_change_log_is_listed_filtered_and_searched_but_never_changed(admin_client, admin_user, rf):
    node = Node("site laptop")
    node.exchange([spec_record(code="FROM-NODE")])
    office = WorkSpecificationFactory(code="FROM-OFFICE")
    office.delete()
    url = reverse("admin:sync_syncchange_changelist")

    def listed(**params) -> set[str]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return {entry.record_type + ":" + entry.op for entry in response.context["cl"].result_list}

    from_node = SyncChange.objects.get(origin_node=node.model)
    assert listed(origin_node__id__exact=node.model.pk) == {"work_specification:upsert"}
    assert listed(op__exact="delete") == {"work_specification:delete"}
    assert "user:upsert" in listed(record_type="user")
    assert len(listed(q=str(from_node.record_uuid)[:13])) == 1
    assert listed(origin_node__isnull="True") >= {"work_specification:delete", "user:upsert"}
    page = admin_client.get(url).content.decode()
    assert "office" in page  # changes made in the office have no origin node

    request = rf.get(url)
    request.user = admin_user
    model_admin = admin.site._registry[SyncChange]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, from_node)
    assert not model_admin.has_delete_permission(request, from_node)
    detail = admin_client.get(reverse("admin:sync_syncchange_change", args=[from_node.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert admin_client.post(reverse("admin:sync_syncchange_change", args=[from_node.pk]), {}).status_code == 403
