"""Randomized convergence under faults: one server, three desktop nodes, random edits
everywhere, random exchanges, injected faults — and in the end every node equals the
server, nothing is duplicated, and every edit is in the final state or on record
(DESIGN.md invariants 1-4; the rules are explained in docs/reliability.md).

The nodes are the real desktop client: a real SQLite file each, the real ``SyncEngine``,
``HttpTransport`` and ``desktop_client.services``. The office edits as the admin would,
through the ORM (whose writes capture changes). Faults (tests/reliability/faults.py): a
request lost on the way, a response lost after the server committed, a server failure half
way through applying a message (500, rolled back), a node stopping after it received a
response and before (or while) applying it, then starting again on the same file; also
plain restarts, a node unseen for a month while the office purges tombstones (its return
is a reset), and users acting on conflicts and rejections.

Two transports:
- ``in-process``: each request goes through Django's request handler in this process
  (``InProcessServer``: middleware, DRF view, status codes — no socket), so many schedules
  fit in the suite's time; every fault kind is injected;
- ``live``: a smaller profile over real HTTP to the gunicorn server (``live_sync_server``);
  the server-failure fault needs the server in this process, so it is left out there.

The amount of work comes from a hypothesis settings profile chosen by
``CONVERGENCE_PROFILE`` (``ci``, the default, or ``soak`` for ``make soak``), scaled down on
SQLite. Each run adds its figures to ``var/reliability-figures.json``.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import time
import uuid
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from apps.accounts.models import User
from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.reports.models import DailyReport, DailyReportLine
from apps.sync import registry
from apps.sync.api.throttling import ExchangeRateThrottle
from apps.sync.models import SyncChange, SyncConflict, SyncNode, SyncState
from apps.sync.serializer import LogEntry, records_to_wire
from apps.sync.services.nodes import connection_code_make, node_create, node_revoke, node_token_replace
from apps.sync.services.purge import log_purge
from apps.timesheets.models import Timesheet
from desktop_client import services
from desktop_client.store import open_store
from desktop_client.store.records import record_model
from desktop_client.store.sync_tables import OutboxEntry
from desktop_client.store.sync_tables import SyncState as NodeSyncState
from desktop_client.store.wire import record_data_to_wire
from desktop_client.sync import HttpTransport, RetryPolicy, SyncEngine, SyncError, register_with_code
from tests.reliability import faults
from tests.reliability.edit_ledger import (
    CREATE,
    DELETE,
    LINES,
    REAPPLY,
    RESTORE,
    RETRY,
    TAG_FIELD,
    UPDATE,
    Ledger,
    canonical,
    tag_of,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(django_settings.BASE_DIR)
FIGURES_PATH = ROOT / "var" / "reliability-figures.json"

# --- how much work --------------------------------------------------------------------------

PROFILE = os.environ.get("CONVERGENCE_PROFILE", "ci")
if PROFILE not in ("ci", "soak"):
    raise RuntimeError(f"CONVERGENCE_PROFILE must be 'ci' or 'soak', not {PROFILE!r}")

_COMMON = dict(
    deadline=None,
    # No "explain" phase: it traces every line of a failing schedule again and again, which
    # for this test takes longer than finding and shrinking the failure.
    phases=[phase for phase in Phase if phase is not Phase.explain],
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
# ci: what `make test` affords (about three minutes of the PostgreSQL half, under one of the
# SQLite half, on two cores); soak: `make soak`, about an hour.
# The ci profile runs a fixed set of schedules (derandomized, no example database), so that
# `make test` passes or fails the same way on every machine; `make soak` explores anew each
# time and is where new failures are found (docs/reliability.md, "Open findings").
settings.register_profile("convergence-ci", max_examples=36, stateful_step_count=40, derandomize=True, database=None,
                          **_COMMON)
settings.register_profile("convergence-soak", max_examples=400, stateful_step_count=60, **_COMMON)

# Schedules per (transport, database): the profile's number times this share. PostgreSQL is
# the production database and gets the most; over real HTTP a schedule is half as long.
SHARE = {
    ("in-process", "postgresql"): 1.0,
    ("in-process", "sqlite"): 0.4,
    ("live", "postgresql"): 0.2,
    ("live", "sqlite"): 0.2,
}


def profile_settings(transport: str) -> settings:
    base = settings.get_profile(f"convergence-{PROFILE}")
    examples = max(3, round(base.max_examples * SHARE[(transport, connection.vendor)]))
    if os.environ.get("CONVERGENCE_EXAMPLES"):  # to try a change quickly, or to soak one transport longer
        examples = int(os.environ["CONVERGENCE_EXAMPLES"])
    steps = base.stateful_step_count if transport == "in-process" else max(15, base.stateful_step_count // 2)
    return settings(base, max_examples=examples, stateful_step_count=steps)


# --- the world the schedules run in ---------------------------------------------------------

NODE_NAMES = ("node0", "node1", "node2")
# (batch_size, max_changes) per node: small pages and messages make every sync several exchanges.
NODE_SIZES = ((2, 2), (3, 5), (200, 1000))
EDITABLE = ("work_specification", "estimate", "daily_report", "timesheet")
WITH_LINES = ("estimate", "daily_report")
SERVER_MODELS = {
    "user": User, "work_specification": WorkSpecification, "estimate": Estimate,
    "daily_report": DailyReport, "timesheet": Timesheet,
}
LINE_MODELS = {"estimate": (EstimateLine, "estimate"), "daily_report": (DailyReportLine, "report")}
CODES = tuple(f"C{i}" for i in range(6))  # a small pool, so that creations collide
NUMBERS = tuple(f"N{i}" for i in range(6))
PRICES = ("10.00", "12.50", "450.00", "1500.00")
QUANTITIES = ("1.000", "2.500", "12.500")
HOURS = ("4.00", "7.50", "8.00")
DATES = ("2026-11-20", "2026-11-25")
SITES = ("Riverside 3", "Dock 7")
ID_SPACE = uuid.UUID("6f1b7c3e-2d4a-4e8b-9c1d-0a5e6f7b8c9d")
KEEP_TABLES = {"django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}


class Figures:
    """Counts of one test run, written to ``var/reliability-figures.json``."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.results: Counter[str] = Counter()
        self.edits: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()

    def write(self, name: str, seconds: float, budget: settings) -> dict:
        entry = {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.node()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
                       f"Python {platform.python_version()}",
            "profile": PROFILE,
            "max_examples": budget.max_examples,
            "steps_per_schedule_max": budget.stateful_step_count,
            "seconds": round(seconds, 1),
            **dict(self.counts),
            "faults_injected": dict(sorted(self.faults.items())),
            "results_received": dict(sorted(self.results.items())),
            "edits": dict(sorted(self.edits.items())),
            "rules_run": dict(sorted(self.rules.items())),
        }
        FIGURES_PATH.parent.mkdir(exist_ok=True)
        try:
            existing = json.loads(FIGURES_PATH.read_text())
        except (OSError, ValueError):
            existing = {}
        existing[name] = entry
        FIGURES_PATH.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
        return entry


class World:
    """What every schedule of one test run shares: the server's address and how requests
    reach it, the fault switches, a migrated empty node database to copy, the figures."""

    def __init__(self, *, transport: str, server_url: str, directory: Path, monkeypatch) -> None:
        self.transport = transport
        self.server_url = server_url
        self.directory = directory
        self.figures = Figures()
        self.node_crash = faults.NodeCrash(monkeypatch)
        self.server_fault = faults.ServerApplyFault(monkeypatch) if transport == "in-process" else None
        self.template = directory / "template.sqlite3"
        open_store(self.template).close()
        self.schedules = 0

    def adapter(self, observe) -> faults.FaultyAdapter:
        inner = faults.InProcessServer() if self.transport == "in-process" else requests.adapters.HTTPAdapter()
        return faults.FaultyAdapter(inner, server_fault=self.server_fault, observe=observe)

    @property
    def transport_faults(self) -> tuple[str, ...]:
        if self.server_fault is None:
            return (faults.REQUEST_LOST, faults.RESPONSE_LOST)
        return faults.TRANSPORT_FAULTS


def server_reset() -> None:
    """Empty every table the schedules write to (not the ones migrations fill). DELETE in one
    transaction (foreign keys are checked at commit) is much faster than TRUNCATE here."""
    tables = [name for name in connection.introspection.django_table_names(only_existing=True)
              if name not in KEEP_TABLES]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    SyncState.objects.get_or_create(id=1)


def server_record(record_type: str, record_id: str) -> dict | None:
    """The server's record as it sends it (None when it has none, or it is deleted)."""
    entry = SyncChange.objects.filter(record_type=record_type, record_uuid=record_id).first()
    if entry is None:
        return None
    [wire] = records_to_wire([LogEntry(entry.record_type, entry.record_uuid, entry.version, entry.op,
                                       entry.changed_at)])
    return wire if wire["op"] == "upsert" else None


def server_state() -> dict[tuple[str, str], dict]:
    """Every live record of the server by (type, id): its version and data."""
    entries = [LogEntry(e.record_type, e.record_uuid, e.version, e.op, e.changed_at)
               for e in SyncChange.objects.filter(op="upsert")]
    return {(wire["type"], wire["id"]): {"version": wire["version"], "data": wire["data"]}
            for wire in records_to_wire(entries) if wire["op"] == "upsert"}


class Node:
    """One desktop installation: its file, its engine, its connection to the server."""

    def __init__(self, world: World, name: str, sizes: tuple[int, int], path: Path, observe) -> None:
        self.world = world
        self.name = name
        self.path = path
        self.batch_size, self.max_changes = sizes
        self.server_pk: int | None = None  # the SyncNode it is connected as
        self.adapter = world.adapter(observe)
        session = requests.Session()
        session.mount("http://", self.adapter)
        self.transport = HttpTransport(world.server_url, session=session)
        shutil.copy(world.template, path)
        self.open()

    def open(self) -> None:
        self.store = open_store(self.path)
        self.engine = SyncEngine(
            self.store, self.transport, batch_size=self.batch_size, max_changes=self.max_changes,
            retry_policy=RetryPolicy(retries=2, first_delay=0, max_delay=0, jitter=0), sleep=lambda seconds: None,
        )

    def restart(self) -> None:
        """Stop and start again on the same file, as after closing the window or a crash."""
        self.store.close()
        self.open()

    def close(self) -> None:
        self.store.close()
        self.transport.close()

    def read(self, record_type: str, record_id: str) -> dict | None:
        with self.store.reading() as session:
            record = session.get(record_model(record_type), record_id)
            return record_data_to_wire(record) if record is not None else None

    def records(self) -> dict[tuple[str, str], dict]:
        return {(wire["type"], wire["id"]): {"version": wire["version"], "data": wire["data"]}
                for wire in services.records_export(self.store)}

    def ids(self, record_type: str) -> list[str]:
        return sorted(view.id for view in services.record_list(self.store, record_type=record_type))

    def unsent(self) -> tuple[int, int | None]:
        with self.store.reading() as session:
            entries = session.query(OutboxEntry).count()
            return entries, NodeSyncState.load(session).inflight_message_no


def pick(items, index: int):
    return items[index % len(items)] if items else None


def free(pool: tuple[str, ...], taken) -> list[str]:
    taken = set(taken)
    return [value for value in pool if value not in taken]


# --- the state machine ----------------------------------------------------------------------

node_index = st.integers(0, len(NODE_NAMES) - 1)
choice = st.integers(0, 5)
editable = st.sampled_from(EDITABLE)
# Repetition weighs the draw: editing shared records is what makes conflicts. A node's user
# cannot restore or edit users: those are an update for them.
ACTIONS = ("create", "update", "update", "update", "lines", "lines", "delete", "restore", "user", "purge", "code",
           "new node")


def machine_for(world: World) -> type[RuleBasedStateMachine]:
    fault_plan = st.lists(st.sampled_from((None, *world.transport_faults)), max_size=4)
    crash_plan = st.one_of(st.none(), st.tuples(st.sampled_from(faults.NODE_FAULTS), st.integers(0, 2)))

    class ConvergenceUnderFaults(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            world.schedules += 1
            self.figures = world.figures
            self.figures.counts["schedules"] += 1
            self.ledger = Ledger()
            self.ids = 0
            self.in_step = False
            self.open_items: set[str] = set()  # nodes with open conflicts or rejections
            self.answers: dict[tuple[str, int], list] = {}  # results of every message answered
            # What each node's user has seen as a conflict or rejection (and maybe acted on).
            self.node_recorded: dict[str, set[str]] = defaultdict(set)
            self.node_recorded_deletes: dict[str, set] = defaultdict(set)
            server_reset()
            self.users = [self._office_user(name) for name in ("foreman", "worker")]
            directory = world.directory / f"schedule-{world.schedules}"
            directory.mkdir()
            self.nodes: list[Node] = []
            self.node_pks: dict[int, str] = {}
            for name, sizes in zip(NODE_NAMES, NODE_SIZES, strict=True):
                node = Node(world, name, sizes, directory / f"{name}.sqlite3", self._observer(name))
                self._connect(node)
                self.nodes.append(node)
            for node in self.nodes:
                node.engine.sync()

        # --- bookkeeping ----------------------------------------------------------------

        def _connect(self, node: Node) -> None:
            """The admin adds a node for the laptop and hands over its connection code; the
            laptop takes it, keeping whatever it holds. A node the laptop was before is revoked."""
            if node.server_pk is not None:
                node_revoke(node=SyncNode.objects.get(pk=node.server_pk))
            model, token = node_create(owner=self.users[0], name=node.name)
            self.node_pks[model.pk] = node.name
            node.server_pk = model.pk
            register_with_code(node.store, code=connection_code_make(node_id=model.node_id, token=token,
                                                                     server_url=world.server_url))

        def _observer(self, name: str):
            def observe(request: dict, response: dict) -> None:
                # PROTOCOL.md rule 1: every answer to one message carries the results of the first.
                first = self.answers.setdefault((request["node_id"], request["message_no"]), response["results"])
                assert response["results"] == first, (
                    f"{name}'s message {request['message_no']} was answered twice with different results "
                    f"(applied twice?):\n  first: {first}\n  later: {response['results']}")
                self.figures.counts["exchanges_answered"] += 1
                self.figures.counts["records_sent"] += len(request["changes"])
                self.figures.counts["records_received"] += len(response["changes"])
                self.figures.counts["resets_started"] += int(response["reset"])
                for change, result in zip(request["changes"], response["results"], strict=True):
                    self.figures.results[result["status"]] += 1
                    if change["op"] == "delete" and result["status"] == "applied":
                        self.ledger.delete_applied(name, (change["type"], change["id"]))
            return observe

        def _new_id(self) -> str:
            self.ids += 1
            return str(uuid.uuid5(ID_SPACE, f"record-{self.ids}"))

        def _step(self, name: str) -> None:
            self.in_step = True
            self.figures.rules[name] += 1
            self.figures.counts["steps"] += 1

        def _done(self) -> None:
            self.in_step = False

        def _edit(self, author: str, key, kind: str, tag: str, knew=(), data: dict | None = None) -> None:
            content = canonical(key[0], data) if data is not None else None
            self.ledger.add(tag=tag, author=author, key=key, kind=kind, knew=knew, content=content)
            self.figures.edits[f"{'office' if author == 'office' else 'node'} {kind}"] += 1

        def _on_record(self, node_name: str, record_type: str, record_id: str, wire: dict | None,
                       *, on_node: bool) -> None:
            self.ledger.note_recorded(node_name, record_type, record_id, wire)
            if not on_node or not isinstance(wire, dict):
                return
            if wire.get("op") == "delete":
                self.node_recorded_deletes[node_name].add((record_type, record_id))
            elif isinstance(wire.get("data"), dict):
                self.node_recorded[node_name].add(wire["data"][TAG_FIELD[record_type]])

        def _note_open_items(self, node: Node) -> None:
            if services.conflict_list(node.store) or services.rejection_list(node.store):
                self.open_items.add(node.name)
            else:
                self.open_items.discard(node.name)

        def _check_node(self, node: Node) -> None:
            problems = [self.ledger.check_copy(node.name, key[0], key[1], record["data"])
                        for key, record in node.records().items()]
            problems = [problem for problem in problems if problem]
            assert not problems, "\n".join(problems)

        # --- node edits through the desktop services ------------------------------------

        def _node_values(self, node: Node, record_type: str, tag: str, variant: int) -> dict | None:
            if record_type == "work_specification":
                codes = free(CODES, (view.values["code"] for view in
                                     services.record_list(node.store, record_type=record_type)))
                if not codes:
                    return None
                return {"code": pick(codes, variant), "name": tag, "unit": "m3", "unit_price": pick(PRICES, variant)}
            if record_type == "estimate":
                numbers = free(NUMBERS, (view.values["number"] for view in
                                         services.record_list(node.store, record_type=record_type)))
                if not numbers:
                    return None
                return {"number": pick(numbers, variant), "title": tag, "site": pick(SITES, variant),
                        "date": pick(DATES, variant), "status": "draft"}
            users = node.ids("user")
            if not users:
                return None
            if record_type == "daily_report":
                return {"date": pick(DATES, variant), "site": pick(SITES, variant), "author": pick(users, variant),
                        "notes": tag}
            return {"date": pick(DATES, variant), "worker": pick(users, variant), "site": pick(SITES, variant),
                    "hours": pick(HOURS, variant), "work_specification": pick([None, *node.ids("work_specification")],
                                                                              variant), "note": tag}

        def _line(self, record_type: str, tag: str, variant: int, specs: list[str], position: int) -> dict:
            line = {"id": self._new_id(), "work_specification": pick([None, *specs], variant),
                    "description": f"{tag} line", "quantity": pick(QUANTITIES, variant)}
            if record_type == "estimate":
                return line | {"position": position, "unit": "m3", "unit_price": pick(PRICES, variant)}
            return line | {"workers": variant % 5, "hours": pick(HOURS, variant)}

        @rule(edits=st.lists(st.tuples(st.integers(0, len(NODE_NAMES)), st.sampled_from(ACTIONS), editable, choice,
                                       choice), min_size=1, max_size=3))
        def people_edit(self, edits):
            """A few edits, each by a node's user (``who`` < 3) or the office (``who`` = 3):
            (who, action, record type, which record, variant of the values)."""
            self._step("people edit")
            for who, action, record_type, which, variant in edits:
                if who == len(NODE_NAMES):
                    self._office_edits(action, record_type, which, variant)
                else:
                    self._node_user_edits(who, action, record_type, which, variant)
            self._done()

        def _node_user_edits(self, n, action, record_type, which, variant):
            """Through the desktop services, as the window does; an edit of a record the node
            does not have becomes a creation."""
            node = self.nodes[n]
            if action in ("restore", "user", "purge", "code", "new node"):
                action = "update"
            if action == "lines" and record_type not in WITH_LINES:
                action = "update"
            record_id = pick(node.ids(record_type), which)
            if record_id is None or action == "create":
                self._node_creates(node, record_type, variant)
            elif action == "update":
                self._node_updates(node, record_type, record_id, variant)
            elif action == "lines":
                self._node_edits_lines(node, record_type, record_id, variant)
            else:
                self._node_deletes(node, record_type, record_id)

        def _node_creates(self, node, record_type, variant):
            tag = self.ledger.new_tag(node.name)
            values = self._node_values(node, record_type, tag, variant)
            if values is not None:
                specs = node.ids("work_specification")
                new_lines = [self._line(record_type, tag, variant + i, specs, i) for i in range(variant % 4)] \
                    if record_type in WITH_LINES else ()
                record_id = self._new_id()
                services.record_create(node.store, record_type=record_type, values=values, lines=new_lines,
                                       record_id=record_id)
                self._edit(node.name, (record_type, record_id), CREATE, tag, data=node.read(record_type, record_id))

        def _node_updates(self, node, record_type, record_id, variant):
            before = node.read(record_type, record_id)
            tag = self.ledger.new_tag(node.name)
            values = {TAG_FIELD[record_type]: tag}
            if record_type == "work_specification":
                values["unit_price"] = pick(PRICES, variant)
                if variant % 4 == 0:  # now and then a new code, which may collide
                    values["code"] = pick(CODES, variant // 4)
            elif record_type == "estimate":
                values["status"] = ("draft", "approved")[variant % 2]
            elif record_type == "daily_report":
                values["site"] = pick(SITES, variant)
            else:
                values["hours"] = pick(HOURS, variant)
            services.record_update(node.store, record_type=record_type, record_id=record_id, values=values)
            self._edit(node.name, (record_type, record_id), UPDATE, tag, knew={tag_of(record_type, before)},
                       data=node.read(record_type, record_id))

        def _node_edits_lines(self, node, record_type, record_id, variant):
            action = ("add", "change", "remove")[variant % 3]
            before = node.read(record_type, record_id)
            tag = self.ledger.new_tag(node.name)
            lines = [dict(line) for line in before["lines"]]
            if action == "add" or not lines:
                lines.append(self._line(record_type, tag, variant, node.ids("work_specification"), len(lines)))
            elif action == "change":
                line = lines[variant % len(lines)]
                line.update(description=f"{tag} line", quantity=pick(QUANTITIES, variant + 1))
            else:
                lines.pop(variant % len(lines))
            services.record_update(node.store, record_type=record_type, record_id=record_id,
                                   values={TAG_FIELD[record_type]: tag}, lines=lines)
            self._edit(node.name, (record_type, record_id), LINES, tag, knew={tag_of(record_type, before)},
                       data=node.read(record_type, record_id))

        def _node_deletes(self, node, record_type, record_id):
            before = node.read(record_type, record_id)
            services.record_delete(node.store, record_type=record_type, record_id=record_id)
            self._edit(node.name, (record_type, record_id), DELETE, self.ledger.new_tag(node.name),
                       knew={tag_of(record_type, before)})

        @precondition(lambda self: self.open_items)
        @rule(n=node_index, which=choice, act=st.booleans(), variant=choice)
        def node_user_settles(self, n, which, act, variant):
            """The node's user settles an open conflict (keeps the server's version, or with
            ``act`` re-applies theirs) or, when there is none, a rejection (discards it, or
            with ``act`` corrects it and sends it again)."""
            self._step("node user settles")
            node = self.nodes[NODE_NAMES.index(pick(sorted(self.open_items), n))]
            conflict = pick(services.conflict_list(node.store), which)
            if conflict is not None:
                self._settle_conflict(node, conflict, reapply=act)
            else:
                self._settle_rejection(node, pick(services.rejection_list(node.store), which), retry=act,
                                       variant=variant)
            self._note_open_items(node)
            self._done()

        def _settle_conflict(self, node, conflict, *, reapply):
            key = (conflict.record_type, conflict.record_id)
            self._on_record(node.name, *key, conflict.mine, on_node=True)
            self.figures.counts["conflicts_settled_by_users"] += 1
            if not reapply:
                services.conflict_keep_server(node.store, conflict_id=conflict.id)
            else:
                shown = node.read(*key)
                knew = {tag_of(key[0], shown)} if shown else self.ledger.deletions_on_server(key)
                if conflict.mine.get("op") == "delete":
                    services.conflict_reapply_mine(node.store, conflict_id=conflict.id)
                    if shown is not None:
                        self._edit(node.name, key, DELETE, self.ledger.new_tag(node.name), knew=knew)
                else:
                    knew.add(tag_of(key[0], conflict.mine["data"]))
                    services.conflict_reapply_mine(node.store, conflict_id=conflict.id)
                    tag = self.ledger.new_tag(node.name)
                    services.record_update(node.store, record_type=key[0], record_id=key[1],
                                           values={TAG_FIELD[key[0]]: tag})
                    self._edit(node.name, key, REAPPLY, tag, knew=knew, data=node.read(*key))

        def _settle_rejection(self, node, rejection, *, retry, variant):
            if rejection is not None:
                key = (rejection.record_type, rejection.record_id)
                self._on_record(node.name, *key, rejection.change, on_node=True)
                self.figures.counts["rejections_settled_by_users"] += 1
                if retry and rejection.change.get("op") == "upsert":
                    shown = node.read(*key)
                    tag = self.ledger.new_tag(node.name)
                    corrections = {TAG_FIELD[key[0]]: tag}
                    if key[0] == "work_specification":
                        corrections["code"] = pick(CODES, variant)
                    elif key[0] == "estimate":
                        corrections["number"] = pick(NUMBERS, variant)
                    knew = {tag_of(key[0], rejection.change["data"])} | ({tag_of(key[0], shown)} if shown else set())
                    try:
                        services.rejection_retry(node.store, rejection_id=rejection.id, values=corrections)
                    except services.InvalidRecordData:
                        # It refers to a record this computer no longer has: give it up instead.
                        services.rejection_discard(node.store, rejection_id=rejection.id)
                    else:
                        self._edit(node.name, key, RETRY, tag, knew=knew, data=node.read(*key))
                else:
                    services.rejection_discard(node.store, rejection_id=rejection.id)
            self._done()

        # --- office edits through the ORM, as the admin makes them --------------------------

        def _office_user(self, username: str) -> User:
            tag = self.ledger.new_tag("office")
            user = User.objects.create_user(username=username, full_name=tag, password="x")
            self._office_done(CREATE, ("user", str(user.uuid)), tag)
            return user

        def _office_line(self, record_type: str, parent, tag: str, variant: int):
            model, parent_field = LINE_MODELS[record_type]
            spec = pick([None, *WorkSpecification.objects.order_by("uuid")], variant)
            values = {parent_field: parent, "uuid": self._new_id(), "work_specification": spec,
                      "description": f"{tag} line", "quantity": Decimal(pick(QUANTITIES, variant))}
            if record_type == "estimate":
                values |= {"position": variant % 7, "unit": "m3", "unit_price": Decimal(pick(PRICES, variant))}
            else:
                values |= {"workers": variant % 5, "hours": Decimal(pick(HOURS, variant))}
            return model.objects.create(**values)

        def _office_done(self, kind: str, key, tag: str, knew=()) -> None:
            self._edit("office", key, kind, tag, knew=knew, data=server_record(*key)["data"])

        def _office_edits(self, action, record_type, which, variant):
            """Through the ORM, as the admin's forms and actions write; an edit of a record the
            server does not have becomes a creation."""
            if action == "purge":
                self._office_purges()
                return
            if action == "code":
                self._office_reissues_a_code(self.nodes[variant % len(NODE_NAMES)])
                return
            if action == "new node":
                # The laptop is connected as another node (handed to another foreman, say): its
                # old node is revoked; it keeps its records and unsent changes and starts over
                # with the full state.
                self._connect(self.nodes[variant % len(NODE_NAMES)])
                self.figures.counts["laptops_connected_as_new_nodes"] += 1
                return
            model = SERVER_MODELS["user" if action == "user" else record_type]
            if action == "lines" and record_type not in WITH_LINES:
                action = "update"
            if action == "restore":
                record = pick(list(model.all_objects.filter(is_deleted=True).order_by("uuid")), which)
            else:
                record = pick(list(model.objects.order_by("uuid")), which)
            if record is None or action == "create":
                self._office_creates(record_type, variant)
            elif action == "restore":
                self._office_restores(record_type, record)
            elif action == "delete":
                self._office_deletes(record_type, record)
            elif action == "lines":
                self._office_edits_lines(record_type, record, variant)
            else:
                self._office_updates("user" if action == "user" else record_type, record, variant)

        def _office_creates(self, record_type, variant):
            tag = self.ledger.new_tag("office")
            record_id = self._new_id()
            model = SERVER_MODELS[record_type]
            with transaction.atomic():  # the admin saves the form and its inline lines together
                if record_type == "work_specification":
                    codes = free(CODES, model.all_objects.values_list("code", flat=True))
                    record = codes and model.objects.create(
                        uuid=record_id, code=pick(codes, variant), name=tag, unit="m",
                        unit_price=Decimal(pick(PRICES, variant)))
                elif record_type == "estimate":
                    numbers = free(NUMBERS, model.all_objects.values_list("number", flat=True))
                    record = numbers and model.objects.create(
                        uuid=record_id, number=pick(numbers, variant), title=tag, site=pick(SITES, variant),
                        date=dt.date.fromisoformat(pick(DATES, variant)))
                elif record_type == "daily_report":
                    record = model.objects.create(uuid=record_id, date=dt.date.fromisoformat(pick(DATES, variant)),
                                                  site=pick(SITES, variant), author=pick(self.users, variant),
                                                  notes=tag)
                else:
                    record = model.objects.create(
                        uuid=record_id, date=dt.date.fromisoformat(pick(DATES, variant)),
                        worker=pick(self.users, variant), site=pick(SITES, variant),
                        hours=Decimal(pick(HOURS, variant)), note=tag,
                        work_specification=pick([None, *WorkSpecification.objects.order_by("uuid")], variant))
                if record and record_type in WITH_LINES:
                    for index in range(variant % 4):
                        self._office_line(record_type, record, tag, variant + index)
            if record:
                self._office_done(CREATE, (record_type, record_id), tag)

        def _office_updates(self, record_type, record, variant):
            key = (record_type, str(record.uuid))
            knew = {tag_of(record_type, server_record(*key)["data"])}
            tag = self.ledger.new_tag("office")
            setattr(record, TAG_FIELD[record_type], tag)
            if record_type == "work_specification":
                record.unit_price = Decimal(pick(PRICES, variant))
            elif record_type == "estimate":
                record.site = pick(SITES, variant)
            elif record_type == "daily_report":
                record.date = dt.date.fromisoformat(pick(DATES, variant))
            elif record_type == "timesheet":
                record.hours = Decimal(pick(HOURS, variant))
            record.save()
            self._office_done(UPDATE, key, tag, knew)

        def _office_edits_lines(self, record_type, record, variant):
            action = ("add", "change", "remove")[variant % 3]
            key = (record_type, str(record.uuid))
            knew = {tag_of(record_type, server_record(*key)["data"])}
            tag = self.ledger.new_tag("office")
            with transaction.atomic():  # the admin saves the form and its inline lines together
                setattr(record, TAG_FIELD[record_type], tag)
                record.save()
                lines = list(record.lines.order_by("uuid"))
                if action == "add" or not lines:
                    self._office_line(record_type, record, tag, variant)
                elif action == "change":
                    line = lines[variant % len(lines)]
                    line.description = f"{tag} line"
                    line.quantity = Decimal(pick(QUANTITIES, variant + 1))
                    line.save()
                else:
                    lines[variant % len(lines)].delete()
            self._office_done(LINES, key, tag, knew)

        def _office_deletes(self, record_type, record):
            key = (record_type, str(record.uuid))
            knew = {tag_of(record_type, server_record(*key)["data"])}
            record.delete()
            self._edit("office", key, DELETE, self.ledger.new_tag("office"), knew=knew)

        def _office_restores(self, record_type, record):
            key = (record_type, str(record.uuid))
            knew = {getattr(record, TAG_FIELD[record_type])} | self.ledger.deletions_on_server(key)
            tag = self.ledger.new_tag("office")
            with transaction.atomic():
                record.restore()
                setattr(record, TAG_FIELD[record_type], tag)
                record.save()
            self._office_done(RESTORE, key, tag, knew)

        def _office_reissues_a_code(self, node: Node) -> None:
            """The admin issues a new connection code for the node (its token is replaced) and
            its user enters it on the laptop, which keeps its data and unsent changes."""
            model = SyncNode.objects.get(pk=node.server_pk)
            token = node_token_replace(node=model)
            register_with_code(node.store, code=connection_code_make(node_id=model.node_id, token=token,
                                                                     server_url=world.server_url))
            self.figures.counts["connection_codes_reissued"] += 1

        def _office_purges(self):
            """The nightly purge of tombstones every active node has acknowledged."""
            outcome = log_purge()
            self.figures.counts["purges"] += 1
            self.figures.counts["tombstones_purged"] += outcome.removed

        # --- exchanges, faults, restarts ----------------------------------------------------

        def _sync(self, node: Node, plan=(), crash=None) -> None:
            node.adapter.plan.extend(plan)
            if crash is not None:
                world.node_crash.arm(crash[0], after=crash[1])
            fired_before = sum(node.adapter.fired.values())
            self.figures.counts["syncs"] += 1
            try:
                node.engine.sync()
            except SyncError as error:
                # Gave up after its retries, as on a day without network; the message stays frozen.
                assert error.retryable, f"{node.name}: sync failed with {error.code}: {error}"
                self.figures.counts["syncs_given_up"] += 1
            except faults.NodeCrashed:
                self.figures.counts["node_restarts_after_crash"] += 1
                node.restart()
            finally:
                node.adapter.plan.clear()
                world.node_crash.disarm()
            if sum(node.adapter.fired.values()) > fired_before:
                self.figures.counts["syncs_with_faults"] += 1
            self._check_node(node)
            self._note_open_items(node)

        @rule(n=node_index, plan=fault_plan, crash=crash_plan, restart=st.booleans(),
              away=st.sampled_from((False, False, False, False, True)))
        def node_syncs(self, n, plan, crash, restart, away):
            """Node ``n`` syncs with the faults of ``plan`` (one per request) and ``crash``.
            ``restart``: the application was closed and started again first. ``away``: the
            node was last seen 40 days ago (longer than SYNC_NODE_STALE_DAYS), the others
            synced and the nightly purge stopped waiting for it, so tombstones it has not seen
            may be gone: coming back, it gets a reset (PROTOCOL.md rule 7) and drops what the
            full state no longer holds."""
            self._step("node syncs")
            node = self.nodes[n]
            if away:
                # Meanwhile the office deleted a record, the others synced, the purge ran.
                for record_type in EDITABLE:
                    record = SERVER_MODELS[record_type].objects.order_by("uuid").first()
                    if record is not None:
                        self._office_deletes(record_type, record)
                        break
                for _ in range(2):  # the second time, the server learns they stored the tombstone
                    for other in self.nodes:
                        if other is not node:
                            self._sync(other)
                SyncNode.objects.filter(pk=node.server_pk).update(last_seen_at=timezone.now() - dt.timedelta(days=40))
                self._office_purges()
                self.figures.counts["nodes_back_after_a_month"] += 1
            if restart:
                node.restart()
                self.figures.counts["node_restarts"] += 1
            self._sync(node, plan, crash)
            self._done()

        @rule(order=st.permutations(range(len(NODE_NAMES))))
        def everyone_syncs(self, order):
            self._step("everyone syncs")
            for n in order:
                self._sync(self.nodes[n])
            self._done()

        # --- the end: quiet, then the invariants ----------------------------------------------

        def _settle(self) -> None:
            """Sync every node, faults off, until a whole round moves nothing; then once more."""
            quiet_rounds = 0
            for _ in range(30):
                moved = False
                for node in self.nodes:
                    self.figures.counts["final_syncs"] += 1
                    report = node.engine.sync()
                    moved |= bool(report.sent or report.received or report.dropped_by_reset or report.resets_finished)
                quiet_rounds = 0 if moved else quiet_rounds + 1
                if quiet_rounds == 2:
                    return
            raise AssertionError("the nodes never became quiet: syncs kept moving records")

        def teardown(self) -> None:
            try:
                if not self.in_step:
                    self._final_checks()
            finally:
                for node in self.nodes:
                    self.figures.faults.update(node.adapter.fired)
                    self.figures.counts["requests"] += node.adapter.requests
                    node.close()

        def _final_checks(self) -> None:
            self._settle()
            # What is on record: the server's conflict log, the nodes' open conflicts and rejections.
            for row in SyncConflict.objects.all():
                self.ledger.note_recorded(self.node_pks[row.node_id], row.record_type, row.record_uuid,
                                          row.node_record)
            for node in self.nodes:
                for conflict in services.conflict_list(node.store):
                    self._on_record(node.name, conflict.record_type, conflict.record_id, conflict.mine, on_node=True)
                for rejection in services.rejection_list(node.store):
                    self._on_record(node.name, rejection.record_type, rejection.record_id, rejection.change,
                                    on_node=True)
            # Every conflict and rejection the server logged is also kept on the node that sent it.
            missing = []
            for row in SyncConflict.objects.all():
                name = self.node_pks[row.node_id]
                wire = row.node_record
                key = (row.record_type, row.record_uuid)
                tag = None if wire.get("op") == "delete" else wire["data"][TAG_FIELD[row.record_type]]
                if not self.ledger.node_side_answers(name, tag, key, self.node_recorded[name],
                                                     self.node_recorded_deletes[name]):
                    missing.append(f"{name} keeps no {row.outcome} for {key} (message {row.message_no}, {tag})")
            assert not missing, "\n".join(missing)
            # The users give up what was rejected; the records go back to the server's state.
            for node in self.nodes:
                for rejection in services.rejection_list(node.store):
                    services.rejection_discard(node.store, rejection_id=rejection.id)
                    self.figures.counts["rejections_discarded_at_the_end"] += 1
            self._settle()

            server = server_state()
            # The change log and the tables agree: one entry per record, tombstones for deleted ones.
            for record_type, model in SERVER_MODELS.items():
                live = {str(value) for value in model.objects.values_list("uuid", flat=True)}
                logged = {key[1] for key in server if key[0] == record_type}
                assert live == logged, f"{record_type}: live records and the change log disagree"
            # No duplicates: unique values, and no message applied twice to any record.
            assert len(set(WorkSpecification.all_objects.values_list("code", flat=True))) == \
                WorkSpecification.all_objects.count()
            assert len(set(Estimate.all_objects.values_list("number", flat=True))) == Estimate.all_objects.count()
            for options in registry.all_options():
                for model in filter(None, (options.model, options.lines.model if options.lines else None)):
                    twice = (model.history.model.objects.filter(history_change_reason__startswith="sync: node")
                             .values("uuid", "history_change_reason").annotate(rows=Count("history_id"))
                             .filter(rows__gt=1))
                    assert not twice, f"a message was applied twice to {model.__name__}: {list(twice)}"
            logged_twice = (SyncConflict.objects.values("node", "message_no", "record_type", "record_uuid")
                            .annotate(rows=Count("id")).filter(rows__gt=1))
            assert not logged_twice, f"a conflict or rejection was logged twice: {list(logged_twice)}"
            # Every copy anywhere is exactly what the edit it names wrote.
            problems = [self.ledger.check_copy("server", key[0], key[1], record["data"])
                        for key, record in server.items()]
            # Convergence: every node holds exactly the server's live records, at the same versions.
            for node in self.nodes:
                held = node.records()
                assert node.unsent() == (0, None), f"{node.name} still has unsent changes: {node.unsent()}"
                for key in sorted(set(held) | set(server)):
                    if key not in held:
                        problems.append(f"{node.name} lacks {key}")
                    elif key not in server:
                        problems.append(f"{node.name} has {key}, which the server has not: {held[key]}")
                    elif held[key]["version"] != server[key]["version"] or \
                            canonical(key[0], held[key]["data"]) != canonical(key[0], server[key]["data"]):
                        problems.append(
                            f"{node.name} differs on {key}:\n  node:   {held[key]}\n  server: {server[key]}")
            problems = [problem for problem in problems if problem]
            assert not problems, "\n".join(problems)
            # No lost write: every edit is in the final state, built on, or on record.
            lost = self.ledger.unaccounted({key: record["data"] for key, record in server.items()})
            assert not lost, "\n".join(lost)
            self.figures.counts["final_records"] += len(server)
            self.figures.counts["conflicts_logged"] += SyncConflict.objects.filter(outcome="conflict").count()
            self.figures.counts["rejections_logged"] += SyncConflict.objects.filter(outcome="rejected").count()
            self.figures.counts["edits_checked"] += len(self.ledger.edits)
            self.figures.counts["schedules_checked"] += 1

    return ConvergenceUnderFaults


def run(world: World, name: str) -> None:
    budget = profile_settings(world.transport)
    started = time.monotonic()
    try:
        run_state_machine_as_test(lambda: machine_for(world)(), settings=budget)
    finally:
        figures = world.figures
        figures.faults.update(world.node_crash.fired)
        if world.server_fault is not None:
            figures.counts.update({f"server_error {where}": count for where, count in world.server_fault.fired.items()})
        entry_name = f"{name} on {connection.vendor}, {PROFILE} profile"
        figures.write(entry_name, time.monotonic() - started, budget)


@pytest.fixture
def unthrottled(monkeypatch):
    """The in-process server keeps the production rate limit per node (600 exchanges a
    minute), which schedules without network delays exceed; the live server is started
    with a higher one."""
    monkeypatch.setattr(ExchangeRateThrottle, "rate", "1000000/minute", raising=False)


def test_nodes_converge_under_random_edits_and_faults_in_process(tmp_path, monkeypatch, unthrottled):
    world = World(transport="in-process", server_url="http://testserver", directory=tmp_path,
                  monkeypatch=monkeypatch)
    run(world, "in-process")


def test_nodes_converge_under_random_edits_and_faults_over_real_http(tmp_path, monkeypatch, live_sync_server):
    world = World(transport="live", server_url=live_sync_server.url, directory=tmp_path, monkeypatch=monkeypatch)
    run(world, "live HTTP")
