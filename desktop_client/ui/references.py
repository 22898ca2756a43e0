"""People and work items by id, for showing references and for the pickers.

Read through the services and kept until the next "data changed"; lists and editors ask
for the same few hundred names over and over.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from desktop_client import services
from desktop_client.store import Store


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class WorkItem:
    id: str
    code: str
    name: str
    unit: str
    unit_price: Decimal

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"


class ReferenceLookup:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._people: dict[str, Choice] | None = None
        self._active_people: set[str] = set()
        self._work: dict[str, WorkItem] | None = None
        self._sites: list[str] | None = None

    def invalidate(self) -> None:
        self._people = None
        self._work = None
        self._sites = None

    def known_sites(self) -> list[str]:
        """Every site named in a report, timesheet or estimate, to complete what is typed."""
        if self._sites is None:
            sites = {
                view.values.get("site")
                for record_type in ("daily_report", "timesheet", "estimate")
                for view in services.record_list(self._store, record_type=record_type)
            }
            self._sites = sorted((site for site in sites if site), key=str.casefold)
        return self._sites

    def person_label(self, user_id: str | None) -> str:
        if not user_id:
            return ""
        person = self._load_people().get(user_id)
        return person.label if person else user_id[:8]

    def is_known_person(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in self._load_people()

    def people(self, *, keep: str | None = None) -> list[Choice]:
        """Active people by name, plus ``keep`` (the one a record already names) even if
        that person has since left."""
        people = self._load_people()
        chosen = [person for person in people.values() if person.id in self._active_people or person.id == keep]
        return sorted(chosen, key=lambda person: person.label.casefold())

    def work_item(self, work_id: str | None) -> WorkItem | None:
        return self._load_work().get(work_id) if work_id else None

    def work_label(self, work_id: str | None) -> str:
        if not work_id:
            return ""
        item = self.work_item(work_id)
        return item.label if item else work_id[:8]

    def work_items(self) -> list[WorkItem]:
        return sorted(self._load_work().values(), key=lambda item: item.code.casefold())

    def label(self, record_type: str, record_id: str | None) -> str:
        if record_type == "user":
            return self.person_label(record_id)
        if record_type == "work_specification":
            return self.work_label(record_id)
        return record_id or ""

    def _load_people(self) -> dict[str, Choice]:
        if self._people is None:
            views = services.record_list(self._store, record_type="user")
            self._people = {view.id: Choice(view.id, _person_label(view.values)) for view in views}
            self._active_people = {view.id for view in views if view.values.get("is_active")}
        return self._people

    def _load_work(self) -> dict[str, WorkItem]:
        if self._work is None:
            self._work = {
                view.id: WorkItem(
                    id=view.id,
                    code=view.values["code"],
                    name=view.values["name"],
                    unit=view.values["unit"],
                    unit_price=view.values["unit_price"],
                )
                for view in services.record_list(self._store, record_type="work_specification")
            }
        return self._work


def _person_label(values) -> str:
    full_name = (values.get("full_name") or "").strip()
    return full_name or values.get("username") or ""
