"""The model of who edited what, knowing what: the ledger the convergence test judges the
final state against (DESIGN.md invariant 1, "no lost write").

Every edit anywhere — on a node through the desktop services, in the office through the ORM
— writes a fresh *tag* (``<author>#<n>``) into one text field of the record (its *tag
field*), so any copy of a record names the edit that produced it. The ledger keeps, per edit:

- ``content``: the record exactly as it was right after the edit (fields and lines), as its
  author's side held it; ``None`` for a delete, which writes no tag but gets one here;
- ``knew``: the tags of the edits its author had in front of them — the tag in the copy of
  the record that was edited (none for a create), plus both sides for a conflict re-applied
  and the deletion that was undone for a restore.

The rule (docs/reliability.md): an edit is accounted for when
1. a later edit was made knowing it (it is in that edit's ``knew``): someone saw it and
   changed it on purpose; or
2. it is in the final state: the server's record carries its tag and equals its ``content``
   (for a delete: the record is deleted in the final state); or
3. it was recorded where a person can see it: its tag (for a delete: its author and record)
   is in a conflict or rejection — the server's conflict log, or a node's conflicts or
   rejections — or a person acted on it there (kept the server's version, re-applied, retried
   or discarded it).
Every edit must be accounted for. Only "leaves" of the knowledge graph can fail rule 1, so
the check is in effect: every edit nobody built on is final or on record.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

TAG_FIELD = {
    "user": "full_name",
    "work_specification": "name",
    "estimate": "title",
    "daily_report": "notes",
    "timesheet": "note",
}

CREATE, UPDATE, LINES, DELETE, RESTORE, REAPPLY, RETRY = "create", "update", "lines", "delete", "restore", "reapply", \
    "retry"

Key = tuple[str, str]  # (record type, record id)


def canonical(record_type: str, data: dict[str, Any]) -> str:
    """A record's data as one comparable string: lines keyed by id, so their order (which the
    protocol leaves to each side for daily report lines) does not matter."""
    data = dict(data)
    if "lines" in data:
        data["lines"] = {line["id"]: {k: v for k, v in line.items() if k != "id"} for line in data["lines"]}
    return json.dumps(data, sort_keys=True)


def tag_of(record_type: str, data: dict[str, Any]) -> str:
    return data[TAG_FIELD[record_type]]


@dataclass
class Edit:
    tag: str
    author: str  # "node0", "node1", "node2" or "office"
    key: Key
    kind: str
    knew: frozenset[str]
    content: str | None  # canonical(), None for a delete
    on_server: bool = False  # deletes: the server applied it (the office's at once)


@dataclass
class Ledger:
    edits: dict[str, Edit] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)  # tags some later edit was made knowing
    recorded: set[str] = field(default_factory=set)  # tags on record as a conflict or rejection
    recorded_deletes: set[tuple[str, Key]] = field(default_factory=set)  # (author, record) likewise
    _counter: int = 0
    _deletes: dict[Key, list[str]] = field(default_factory=lambda: defaultdict(list))

    def new_tag(self, author: str) -> str:
        self._counter += 1
        return f"{author}#{self._counter}"

    def add(self, *, tag: str, author: str, key: Key, kind: str, knew=(), content: str | None = None) -> Edit:
        if tag in self.edits:
            raise AssertionError(f"tag {tag} used twice")
        edit = Edit(tag=tag, author=author, key=key, kind=kind, knew=frozenset(knew), content=content,
                    on_server=(kind == DELETE and author == "office"))
        self.edits[tag] = edit
        self.known |= edit.knew
        if kind == DELETE:
            self._deletes[key].append(tag)
        return edit

    def delete_applied(self, author: str, key: Key) -> None:
        """The server applied a delete of ``key`` that ``author`` sent."""
        for tag in reversed(self._deletes[key]):
            edit = self.edits[tag]
            if edit.author == author:
                edit.on_server = True
                return

    def deletions_on_server(self, key: Key) -> set[str]:
        """Tags of the deletes of ``key`` the server has applied (what undoing a deletion knows)."""
        return {tag for tag in self._deletes[key] if self.edits[tag].on_server}

    def note_recorded(self, author: str, record_type: str, record_id: str, wire: dict | None) -> None:
        """``wire`` (a record as sent, or a node's side of a conflict) is on record as a
        conflict or rejection of ``author``'s."""
        if not isinstance(wire, dict):
            return
        if wire.get("op") == "delete":
            self.recorded_deletes.add((author, (record_type, record_id)))
        elif isinstance(wire.get("data"), dict) and record_type in TAG_FIELD:
            tag = wire["data"].get(TAG_FIELD[record_type])
            if isinstance(tag, str):
                self.recorded.add(tag)

    def content_of(self, tag: str) -> str | None:
        edit = self.edits.get(tag)
        return edit.content if edit else None

    def check_copy(self, where: str, record_type: str, record_id: str, data: dict[str, Any]) -> str | None:
        """A problem with a copy of a record (a node's or the server's), or None: every copy
        must be exactly the content of the edit whose tag it carries."""
        tag = tag_of(record_type, data)
        edit = self.edits.get(tag)
        if edit is None:
            return f"{where}: {record_type} {record_id} carries {tag!r}, which no edit wrote"
        if edit.key != (record_type, record_id):
            return f"{where}: {record_type} {record_id} carries {tag}, an edit of {edit.key}"
        if edit.content != canonical(record_type, data):
            return (f"{where}: {record_type} {record_id} carries {tag} but differs from what that edit wrote:\n"
                    f"  edit:  {edit.content}\n  here:  {canonical(record_type, data)}")
        return None

    def unaccounted(self, final: dict[Key, dict[str, Any]]) -> list[str]:
        """Edits the final server state (live records' data by key) neither holds nor answers
        for; see the module's docstring for the rule."""
        final_tags = {tag_of(key[0], data) for key, data in final.items()}
        problems = []
        for edit in self.edits.values():
            if edit.tag in self.known or edit.tag in self.recorded:
                continue
            if edit.kind == DELETE:
                if edit.key not in final or (edit.author, edit.key) in self.recorded_deletes:
                    continue
            elif edit.tag in final_tags:
                continue
            problems.append(f"{edit.kind} {edit.tag} of {edit.key[0]} {edit.key[1]} is lost: not in the final state, "
                            "not built on by a later edit, and no conflict or rejection records it")
        return problems

    def node_side_answers(self, author: str, tag: str | None, key: Key, node_recorded: set[str],
                          node_recorded_deletes: set[Key]) -> bool:
        """Whether node ``author`` keeps, where its user sees it, the change ``tag`` (None: a
        delete of ``key``) that the server logged as a conflict or rejection of that node: in
        an open conflict or rejection, acted on by the user, or in a later edit of the node's
        own made knowing it that is."""
        if tag is None:
            return key in node_recorded_deletes
        seen: set[str] = set()
        todo = [tag]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if current in node_recorded:
                return True
            todo += [edit.tag for edit in self.edits.values() if edit.author == author and current in edit.knew]
        return False
