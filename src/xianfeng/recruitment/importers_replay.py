"""The replay every recruitment sheet shares (PLAT-03): rows are checked as they are read
and kept; once every sheet of the file is read, each sheet's planner turns its rows into
dated events (a row matching a stored record counts as unchanged and makes none), and
the events of all the sheets are applied in date order through the domain — talent
surveyed, cultivations opened, entries added, people registered, steps recorded, mentors
assigned, statuses changed — so every rule that holds at the moment of a write holds on
import too, whatever the order of the file's rows and sheets.

A refused event is its row's error (the domain's text, ID numbers masked); the later
events of the same subject (a person, a talent, a cultivation) are then left out, as they
would only repeat it, and the whole import is refused (`core.importing` rolls it back).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from xianfeng.accounts.models import User
from xianfeng.accounts.scope import is_on_line, scope_paths
from xianfeng.core.importing import Errors, Record
from xianfeng.orgs.importers_support import Sheet
from xianfeng.study.models import TrainingClass

from .importers_columns import masked_text

FIRST = dt.date.min  # the day of events without a date of their own (targets)


@dataclass
class Event:
    """One write of the replay, applied at (`on`, `rank`, `seq`); `run()` returns the
    outcome counted for its row ("created", "updated", or "" not counted)."""

    on: dt.date
    rank: float
    subject: Any  # events of a subject after a refused one are left out
    sheet: ReplaySheet
    record: Record
    run: Callable[[], str]
    after: Callable[[str], None] | None = None  # told the outcome (rows sharing it)
    seq: int = 0


@dataclass
class Replay:
    errors: Errors
    by: Any
    planners: list[tuple[int, Callable[[Replay], list[Event]]]] = field(default_factory=list)
    finishers: list[Callable[[Replay], None]] = field(default_factory=list)
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    shared: dict[str, Any] = field(default_factory=dict)  # what one sheet makes for another
    failed: set[Any] = field(default_factory=set)
    done: bool = False

    def plan(self, planner: Callable[[Replay], list[Event]], rank: int) -> None:
        """Register a sheet's planner once (`rank` orders the planners)."""
        if all(p is not planner for _r, p in self.planners):
            self.planners.append((rank, planner))

    def count(self, sheet: ReplaySheet, outcome: str) -> None:
        if outcome:
            self.counts[sheet.kind][outcome] += 1

    def refuse(self, sheet: ReplaySheet, record: Record, key: str, message: str) -> None:
        sheet.fail(record, key, message)
        self.count(sheet, "error")

    def apply(self) -> None:
        if self.done:
            return
        self.done = True
        events: list[Event] = []
        for _rank, planner in sorted(self.planners, key=lambda p: p[0]):
            events += planner(self)
        for seq, event in enumerate(events):
            event.seq = seq
        for event in sorted(events, key=lambda e: (e.on, e.rank, e.seq)):
            if event.subject in self.failed:
                continue
            outcome = self._run(event)
            self.count(event.sheet, outcome)
            if event.after is not None:
                event.after(outcome)
            if outcome == "error":
                self.failed.add(event.subject)
        for finisher in self.finishers:
            finisher(self)

    def then(self, finisher: Callable[[Replay], None]) -> None:
        """Run `finisher` once every event is applied (registered once)."""
        if all(f is not finisher for f in self.finishers):
            self.finishers.append(finisher)

    def _run(self, event: Event) -> str:
        try:
            return event.run()
        except ValidationError as error:
            self.report(event.sheet, event.record, error)
        except PermissionDenied as error:
            event.sheet.fail(event.record, event.sheet.owner_key, masked_text(str(error)))
        return "error"

    def report(self, sheet: ReplaySheet, record: Record, error: ValidationError) -> None:
        messages = getattr(error, "message_dict", None) or {NON_FIELD_ERRORS: error.messages}
        for name, texts in messages.items():
            key = sheet.fields.get(name, name)
            column = sheet.labels.get(key, "")
            for text in texts:
                self.errors.add(record, None, column, masked_text(text))


_REPLAYS: weakref.WeakValueDictionary[int, Replay] = weakref.WeakValueDictionary()


def replay_for(errors: Errors, by: Any) -> Replay:
    """The replay of one import: every recruitment sheet of it shares one (one `Errors`
    per import)."""
    found = _REPLAYS.get(id(errors))
    if found is None or found.errors is not errors:
        found = Replay(errors, by)
        _REPLAYS[id(errors)] = found
    return found


class ReplaySheet(Sheet):
    """A recruitment sheet: checks its rows (`one` returns "pending") and keeps them in
    `rows`; `planner` (a function of the replay) makes the events. Every sheet of the
    replay reports its counts when the replay is done."""

    kind = ""
    owner_key = "org"  # the column a refusal of the write as such (PermissionDenied) goes to
    rank = 0  # planners run in this order (a sheet reads what earlier ones planned)

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.replay = replay_for(errors, by)
        self.replay.plan(type(self).planner, self.rank)
        self.pending: list[tuple[Record, dict[str, Any]]] = []
        self.replay.shared[self.kind] = self

    @staticmethod
    def planner(replay: Replay) -> list[Event]:
        raise NotImplementedError

    def keep(self, record: Record, data: dict[str, Any]) -> str:
        self.pending.append((record, data))
        return "pending"

    def event(
        self, on: dt.date, rank: float, subject: Any, record: Record, run: Callable[[], str]
    ) -> Event:
        return Event(on, rank, subject, self, record, run)

    def recorder(self, username: str) -> Any:
        """The pk of the account restored as a record's recorder (录入账号): on the command
        line only (a user's import records the user)."""
        if self.by is not None:
            return None
        if "users" not in self.cache:
            self.cache["users"] = dict(User.objects.values_list("username", "pk"))
        return self.cache["users"].get(username)

    def training_class(self, record: Record) -> Any:
        """The training class a row names (培训班举办党组织, 名称, 开班日期), held in the
        user's scope or above it; None with the row's error when there is none, False
        when the row names none."""
        v = record.values
        if not v.get("class_title"):
            return False
        org = self.org_by_code.get(v.get("class_org") or "")
        starts = v.get("class_starts")
        prefixes = scope_paths(self.by) if self.by is not None else None
        found = None
        seen = org is not None and (
            prefixes is None or any(is_on_line(org.path, p) for p in prefixes)
        )
        if seen and starts is not None:
            classes = TrainingClass.objects.select_related("org")
            found = classes.filter(org=org, title=v["class_title"], starts_on=starts).first()
        if found is None:
            message = f"找不到培训班“{v['class_title']}”（请核对举办党组织编码、名称和开班日期）"
            return self.fail(record, "class_title", message)
        return found

    def finish(self) -> dict[str, int]:
        self.replay.apply()
        counts = self.replay.counts[self.kind]
        return {key: counts[key] for key in ("created", "updated", "unchanged")}


def sheet_of(replay: Replay, kind: str) -> Any:
    """The sheet of `kind` in this import, or None when the file has none."""
    return replay.shared.get(kind)
