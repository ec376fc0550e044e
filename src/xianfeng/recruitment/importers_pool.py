"""Importing the talent pool, the three cultivations and the yearly targets (PLAT-03 with
DEV-03 … DEV-07): the sheets 人才库, 培养档案, 培养记录 and 年度目标.

Their rows join the recruitment replay (`importers_replay`), written through
`domain.talent`, `domain.cultivation` and `domain.targets` in date order with the
pipeline's: a talent surveyed on its 摸底日期 (and taken out of the pool on the day its
note's last line records, “2025-05-01出库：…”), a cultivation opened on its 列入培养日期,
its entries on their days, its status (已达成, 已终止) on its 状态起始日期 after the day's
steps (track b is achieved once the talent is an activist), targets first.

Rows matching what is stored write nothing: a talent by ID number (masked with the name),
else by org, name and survey day; a cultivation by org, track, its subject and start; an
entry by its cultivation, day, kind and title (one row per stored entry); a target by
org, year and kind. A talent row changes the survey fields where it differs
(`update_talent`), a target row the value or note (`set_target`); a cultivation's status
moves only forward (from 培养中). Orgs, members and talents are resolved in the importing
user's scope.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

from xianfeng.accounts.scope import is_on_line, is_within_scope, scope_paths
from xianfeng.core.importing import Record
from xianfeng.lib.cells import clean_text, text_key
from xianfeng.lib.cipher import lookup_hash
from xianfeng.lib.idcard import IdNumberError, parse_id_number
from xianfeng.orgs.importers_support import SheetImporter, comparable

from .domain import cultivation as cultivating
from .domain import talent as pool
from .domain import targets as planning
from .importers import ORDER, approved_keys
from .importers_columns import (
    CULTIVATION_COLUMNS,
    ENTRY_COLUMNS,
    TALENT_COLUMNS,
    TARGET_COLUMNS,
    masked_text,
)
from .importers_replay import FIRST, Event, Replay, ReplaySheet, sheet_of
from .models import (
    Cultivation,
    CultivationEntry,
    CultivationStatus,
    TalentEntry,
    TalentStatus,
    Target,
    Track,
)

TALENT, CULTIVATIONS, ENTRIES, TARGETS = (
    "recruitment_talent",
    "recruitment_cultivations",
    "recruitment_cultivation_entries",
    "recruitment_targets",
)
TALENT_RANK, OPEN_RANK, ENTRY_RANK, STATUS_RANK, LEFT_RANK = -3.0, -2.0, 50.0, 100.0, 101.0
EDITABLE = ("name", "kind", "tags", "occupation", "sector", "phone", "note")
_LEFT_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})出库：(.*)$")
MEMBER_TRACKS = (Track.MEMBER_TO_TALENT, Track.TALENT_TO_CADRE)


def split_left(note: str) -> tuple[str, dt.date | None, str]:
    """A talent note as (the note before leaving, the day it left, the reason) when its
    last line is the one `mark_left` writes; else (note, None, "")."""
    head, _, last = note.rpartition("\n")
    found = _LEFT_LINE.match(last.strip())
    if found is None:
        return note, None, ""
    try:
        day = dt.date.fromisoformat(found.group(1))
    except ValueError:
        return note, None, ""
    return head.strip(), day, found.group(2)


def talent_ref(number: str, name: str, org: Any, surveyed_on: dt.date | None) -> tuple[Any, ...]:
    """How a row names a talent: its ID number (full or masked with the name), else its
    org, name and survey day. IdNumberError for a number that is neither."""
    if number and "*" in number:
        return ("masked", number, text_key(name))
    if number:
        return ("hmac", lookup_hash(parse_id_number(number).number))
    return ("name", org.pk, text_key(name), surveyed_on)


def find_talent(ref: tuple[Any, ...], by: Any) -> TalentEntry | None:
    """The one stored talent a reference names inside the user's scope (a name without a
    survey day: the one entry of that name in the org)."""
    entries = TalentEntry.objects.select_related("org")
    if ref[0] == "hmac":
        found = list(entries.filter(id_number_hmac=ref[1]))
    elif ref[0] == "masked":
        found = [e for e in entries.filter(id_number_masked=ref[1]) if text_key(e.name) == ref[2]]
    else:
        found = [e for e in entries.filter(org_id=ref[1]) if text_key(e.name) == ref[2]]
        if ref[3] is not None:
            found = [e for e in found if e.surveyed_on == ref[3]]
    if len(found) != 1 or not is_within_scope(by, found[0].org.path):
        return None
    return found[0]


class _PoolSheet(ReplaySheet):
    rank = 0

    def talent_key(self, record: Record, org: Any, day: dt.date | None) -> Any:
        v = record.values
        number = v.get("id_number", "") if "id_number" in v else ""
        try:
            return talent_ref(number, v.get("name", ""), org, day)
        except IdNumberError as error:
            return self.fail(record, "id_number", masked_text(str(error)))


# --------------------------------------------------------------------------- 人才库


class _Talent(_PoolSheet):
    kind = TALENT
    columns = TALENT_COLUMNS

    def one(self, record: Record) -> str:
        org = self.org(record)
        if org is None:
            return "error"
        key = self.talent_key(record, org, record.values["surveyed_on"])
        if key is None or not self.unique(record, key, "name"):
            return "error"
        return self.keep(record, {"org": org, "key": key})

    @staticmethod
    def planner(replay: Replay) -> list[Event]:
        sheet: _Talent = sheet_of(replay, TALENT)
        found: list[Event] = []
        for record, data in sheet.pending:
            stored = find_talent(data["key"], replay.by)
            if stored is None:
                found += sheet.new_events(record, data)
            else:
                found += sheet.stored_events(record, stored)
        return found

    def new_events(self, record: Record, data: dict[str, Any]) -> list[Event]:
        v, key = record.values, data["key"]
        if key[0] == "masked":
            self.replay.refuse(self, record, "id_number", "新登记的人员须填写完整的身份证号")
            return []
        note, left_on, reason = split_left(v.get("note", ""))
        if v.get("status") == TalentStatus.LEFT and left_on is None:
            message = "出库的人员请在备注最后一行写明“某年某月某日出库：原因”，或在人才库页面办理"
            self.replay.refuse(self, record, "status", message)
            return []
        holder: dict[str, Any] = {}
        # an entry that went into the pipeline of a person the file approves (a restore)
        restoring = v.get("status") == TalentStatus.PIPELINE and key in approved_keys(self.replay)

        def register() -> str:
            holder["entry"] = pool.register_talent(
                org=data["org"],
                name=v["name"],
                kind=v["kind"],
                surveyed_on=v["surveyed_on"],
                tags=v.get("tags") or [],
                occupation=v.get("occupation", ""),
                sector=v.get("sector", ""),
                id_number=v.get("id_number", ""),
                gender=v.get("gender", ""),
                birth_date=v.get("birth_date"),
                phone=v.get("phone", ""),
                note=note if v.get("status") == TalentStatus.LEFT else v.get("note", ""),
                by=self.by,
                restoring=restoring,
            )
            return "created"

        found = [self.event(v["surveyed_on"], TALENT_RANK, key, record, register)]
        if v.get("status") == TalentStatus.LEFT and left_on is not None:

            def leave() -> str:
                pool.mark_left(entry=holder["entry"], on=left_on, reason=reason, by=self.by)
                return ""

            found.append(self.event(left_on, LEFT_RANK, key, record, leave))
        return found

    def stored_events(self, record: Record, entry: TalentEntry) -> list[Event]:
        v = record.values
        changes = {
            name: v[name]
            for name in EDITABLE
            if v.get(name) not in (None, "", []) and v[name] != _stored(entry, name)
        }
        leaving = v.get("status") == TalentStatus.LEFT and entry.status != TalentStatus.LEFT
        _note, left_on, reason = split_left(v.get("note", ""))
        if leaving:
            changes.pop("note", None)
        if not changes and not leaving:
            self.replay.count(self, "unchanged")
            return []

        def update() -> str:
            if changes:
                pool.update_talent(entry=entry, by=self.by, **changes)
            if leaving:
                if left_on is None:
                    message = (
                        "出库请在人才库页面办理（或在备注最后一行写明“某年某月某日出库：原因”）"
                    )
                    self.replay.refuse(self, record, "status", message)
                    return ""
                pool.mark_left(entry=entry, on=left_on, reason=reason, by=self.by)
            return "updated"

        return [self.event(left_on or v["surveyed_on"], LEFT_RANK, entry.pk, record, update)]


def _stored(entry: Any, name: str) -> Any:
    value = getattr(entry, name)
    return list(value or []) if name == "tags" else comparable(value)


# --------------------------------------------------------------------------- 培养档案


def cultivation_key(org: Any, track: str, subject: Any, started_on: dt.date) -> tuple[Any, ...]:
    return (org.pk, track, subject, started_on)


class _Cultivations(_PoolSheet):
    kind = CULTIVATIONS
    columns = CULTIVATION_COLUMNS
    rank = 1
    member_keys = ("pair",)
    fields = {"member": "subject", "talent": "subject", "on": "status_since"}

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None:
            return "error"
        subject = subject_of(self, record, org)
        pair = self.member(record, "pair", "pair_name") if v.get("pair") else None
        if subject is None or (v.get("pair") and pair is None):
            return "error"
        key = cultivation_key(org, v["track"], subject, v["started_on"])
        if not self.unique(record, key, "subject"):
            return "error"
        status = v.get("status") or CultivationStatus.ACTIVE
        if status != CultivationStatus.ACTIVE and not v.get("status_since"):
            return self.reject(record, "status_since", "已成才、已终止的须填写状态起始日期")
        return self.keep(record, {"org": org, "key": key, "subject": subject, "pair": pair})

    @staticmethod
    def planner(replay: Replay) -> list[Event]:
        sheet: _Cultivations = sheet_of(replay, CULTIVATIONS)
        opened = replay.shared.setdefault("cultivations", {})
        planned = replay.shared.setdefault("planned_cultivations", {})
        found: list[Event] = []
        for record, data in sheet.pending:
            planned[data["key"]] = record.values["started_on"]
            stored = stored_cultivation(data["key"], replay.by)
            if stored is not None:
                opened[data["key"]] = stored
                found += sheet.stored_events(record, stored)
            else:
                found += sheet.new_events(record, data, opened)
        return found

    def new_events(
        self, record: Record, data: dict[str, Any], opened: dict[Any, Any]
    ) -> list[Event]:
        v, key = record.values, data["key"]

        def start() -> str:
            subject = self.resolve_subject(record, data)
            if subject is None:
                return "error"
            opened[key] = cultivating.open_cultivation(
                org=data["org"],
                track=v["track"],
                started_on=v["started_on"],
                pair=data["pair"].code if data["pair"] else "",
                goal=v.get("goal", ""),
                note=v.get("note", ""),
                by=self.by,
                **subject,
            )
            return "created"

        found = [self.event(v["started_on"], OPEN_RANK, key, record, start)]
        status = v.get("status") or CultivationStatus.ACTIVE
        if status != CultivationStatus.ACTIVE:
            found.append(self._status_event(record, key, opened, status))
        return found

    def _status_event(self, record: Record, key: Any, opened: dict[Any, Any], status: str) -> Event:
        on = record.values["status_since"]

        def close() -> str:
            cultivating.set_cultivation_status(
                cultivation=opened[key], status=status, on=on, by=self.by
            )
            return ""

        return self.event(on, STATUS_RANK, key, record, close)

    def stored_events(self, record: Record, stored: Cultivation) -> list[Event]:
        v = record.values
        status = v.get("status") or CultivationStatus.ACTIVE
        if status == stored.status and v.get("status_since") in (None, stored.status_since):
            self.replay.count(self, "unchanged")
            return []
        if stored.status != CultivationStatus.ACTIVE:
            self.differs(record, "status", stored.get_status_display())
            self.replay.count(self, "error")
            return []
        key = ("stored", stored.pk)
        event = self._status_event(record, key, {key: stored}, status)
        event.run = _counted(event.run, "updated")
        return [event]

    def resolve_subject(self, record: Record, data: dict[str, Any]) -> dict[str, Any] | None:
        """The subject as `open_cultivation` takes it: a member code, or the talent entry
        (one this import may just have registered)."""
        subject = data["subject"]
        if subject[0] == "member":
            return {"member": subject[1]}
        talent = find_talent(subject[1], self.by)
        if talent is None:
            self.fail(record, "subject", "人才库中没有找到该培养对象")
            return None
        return {"talent": talent}


def _counted(run: Any, outcome: str) -> Any:
    def counted() -> str:
        run()
        return outcome

    return counted


def subject_of(sheet: Any, record: Record, org: Any) -> tuple[Any, ...] | None:
    """A cultivation's subject as a key: ("member", code) for tracks a and c, ("talent",
    talent reference) for track b."""
    v = record.values
    ref = v["subject"]
    if v["track"] in MEMBER_TRACKS:
        return ("member", ref)
    looks_like_number = len(ref) == 18 and (ref[:17].isdigit() or "*" in ref)
    try:
        if looks_like_number:
            return ("talent", talent_ref(ref, v.get("subject_name", ""), org, None))
    except IdNumberError as error:
        return sheet.fail(record, "subject", masked_text(str(error)))
    return ("talent", ("name", org.pk, text_key(ref), None))


def stored_cultivation(key: tuple[Any, ...], by: Any) -> Cultivation | None:
    org_pk, track, subject, started_on = key
    found = Cultivation.objects.select_related("org").filter(
        org_id=org_pk, track=track, started_on=started_on
    )
    if subject[0] == "member":
        found = found.filter(member__code=subject[1])
    else:
        talent = find_talent(subject[1], by)
        if talent is None:
            return None
        found = found.filter(talent=talent)
    cultivation = found.order_by("pk").first()
    if cultivation is None or not is_within_scope(by, cultivation.org.path):
        return None
    return cultivation


# --------------------------------------------------------------------------- 培养记录


class _Entries(_PoolSheet):
    kind = ENTRIES
    columns = ENTRY_COLUMNS
    rank = 2
    fields = {"cultivation": "subject", "status": "subject", "training_class": "class_title"}

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None:
            return "error"
        subject = subject_of(self, record, org)
        if subject is None:
            return "error"
        key = cultivation_key(org, v["track"], subject, v["started_on"])
        training = self.training_class(record)
        if training is None:
            return "error"
        return self.keep(record, {"key": key, "training_class": training or None})

    @staticmethod
    def planner(replay: Replay) -> list[Event]:
        sheet: _Entries = sheet_of(replay, ENTRIES)
        opened = replay.shared.setdefault("cultivations", {})
        pools: dict[Any, Counter[tuple[Any, ...]]] = {}
        found: list[Event] = []
        for record, data in sheet.pending:
            key, v = data["key"], record.values
            if key not in opened:
                stored = stored_cultivation(key, replay.by)
                if stored is not None:
                    opened[key] = stored
            stored = opened.get(key)
            if stored is not None and stored.pk:
                if key not in pools:
                    entries = stored.entries.values_list("on", "kind", "title")
                    pools[key] = Counter((on, kind, clean_text(t)) for on, kind, t in entries)
                mine = (v["on"], v["kind"], v["title"])
                if pools[key][mine] > 0:
                    pools[key][mine] -= 1
                    replay.count(sheet, "unchanged")
                    continue
            run = sheet.add(record, key, opened, data["training_class"])
            found.append(sheet.event(v["on"], ENTRY_RANK, key, record, run))
        return found

    def add(self, record: Record, key: Any, opened: dict[Any, Any], training: Any) -> Any:
        def run() -> str:
            v = record.values
            if key not in opened:
                self.fail(record, *self._missing(key, v["on"]))
                return "error"
            entry = cultivating.add_entry(
                cultivation=opened[key],
                on=v["on"],
                kind=v["kind"],
                title=v["title"],
                hours=v.get("hours"),
                training_class=training,
                note=v.get("note", ""),
                by=self.by,
            )
            recorder = self.recorder(v["entered_by"]) if v.get("entered_by") else None
            if recorder is not None:
                CultivationEntry.objects.filter(pk=entry.pk).update(entered_by=recorder)
            return "created"

        return run

    def _missing(self, key: Any, on: dt.date) -> tuple[str, str]:
        """Why an entry found no cultivation: dated before the file of this import opens,
        or no such file."""
        started = self.replay.shared.get("planned_cultivations", {}).get(key)
        if started is not None and on < started:
            return "on", f"日期不能早于列入培养日期{started:%Y-%m-%d}"
        return "subject", "找不到该培养档案（请核对党组织、培养方向、培养对象和列入培养日期）"


# --------------------------------------------------------------------------- 年度目标


class _Targets(_PoolSheet):
    kind = TARGETS
    columns = TARGET_COLUMNS
    owner_key = "set_by"
    fields = {"setter": "set_by"}

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record, scoped=False)
        setter = self._setter(record) if v.get("set_by") else None
        if org is None or (v.get("set_by") and setter is None):
            return "error"
        if not self.unique(record, (org.pk, v["year"], v["kind"]), "kind"):
            return "error"
        return self.keep(record, {"org": org, "setter": setter or planning.setter_of(org)})

    def _setter(self, record: Record) -> Any:
        """The org that set the target: in the user's scope or above it (a county's
        targets are set by the city)."""
        ref = record.values["set_by"]
        org = self.org_by_code.get(ref)
        prefixes = scope_paths(self.by) if self.by is not None else None
        if org is None or (
            prefixes is not None and not any(is_on_line(org.path, p) for p in prefixes)
        ):
            return self.fail(record, "set_by", f"找不到党组织“{ref}”（请填编码）")
        return org

    @staticmethod
    def planner(replay: Replay) -> list[Event]:
        sheet: _Targets = sheet_of(replay, TARGETS)
        found: list[Event] = []
        for record, data in sheet.pending:
            v, org = record.values, data["org"]
            stored = Target.objects.filter(org=org, year=v["year"], kind=v["kind"]).first()
            note = v.get("note", "")
            if (
                stored is not None
                and stored.value == v["value"]
                and (not note or note == comparable(stored.note))
            ):
                replay.count(sheet, "unchanged")
                continue
            run = sheet.set(record, data, stored)
            found.append(sheet.event(FIRST, 0, ("target", org.pk), record, run))
        return found

    def set(self, record: Record, data: dict[str, Any], stored: Any) -> Any:
        def run() -> str:
            v = record.values
            planning.set_target(
                setter=data["setter"],
                org=data["org"],
                year=v["year"],
                kind=v["kind"],
                value=v["value"],
                note=v.get("note") or (stored.note if stored else ""),
                by=self.by,
            )
            return "updated" if stored is not None else "created"

        return run


# --------------------------------------------------------------------------- importers


class TalentImporter(SheetImporter):
    kind = TALENT
    title = "人才库"
    sheet_names = ("人才库人员", "人才调查摸底", "recruitment_talent")
    columns = TALENT_COLUMNS
    order = ORDER
    sheet = _Talent


class CultivationImporter(SheetImporter):
    kind = CULTIVATIONS
    title = "培养档案"
    sheet_names = ("三培养", "培养对象", "recruitment_cultivations")
    columns = CULTIVATION_COLUMNS
    order = ORDER
    sheet = _Cultivations


class EntryImporter(SheetImporter):
    kind = ENTRIES
    title = "培养记录"
    sheet_names = ("培养档案记录", "recruitment_cultivation_entries")
    columns = ENTRY_COLUMNS
    order = ORDER
    sheet = _Entries


class TargetImporter(SheetImporter):
    kind = TARGETS
    title = "年度目标"
    sheet_names = ("目标任务", "年度目标任务", "recruitment_targets")
    columns = TARGET_COLUMNS
    order = ORDER
    sheet = _Targets
