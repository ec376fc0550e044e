"""Importing the record of member development (PLAT-03 with DEV-01, DEV-02): the sheets
发展党员人员 (people), 发展环节 (their dated steps), 培养联系人 (mentors) and 入党介绍人
(introducers).

The rows are replayed in date order with the other recruitment sheets
(`importers_replay`): a person is registered on the day of their application
(`domain.people.register_applicant`, at the org of the file's 递交入党申请书 row when it
has one, else the people row's org; linked to the talent pool entry of the same ID number,
or the same name in the org, when 来自人才库 says so), then every step goes through
`domain.steps.record_step`, introducers through `domain.mentors.choose_introducers` (which
records the 确定入党介绍人 step), mentors through `assign_mentor` / `end_mentor` — so every
time rule of the pipeline holds on import too. Steps of the same day go in the pipeline's
order; a mentor is assigned before the day's steps that need one and ended (the end is
exclusive) before the day's steps begin.

Rows matching what is stored write nothing: a person by ID number (a masked number, as a
masked export writes it, with the name), a step by person, kind and date (one row per
stored step), a mentor by person, member and start, an introducer by person and member.
A people row changes the person's name, education, occupation, sector, phone and
入党志愿书编号 where it differs (`update_person`); its org and application date belong to
the record and change only through steps. People, members and orgs are resolved in the
importing user's scope (out of scope reads as missing); errors show ID numbers masked.

The writes of a person whose approval the file records restore the record
(`approved_keys`, the domain's `restoring`): a whole-database import reads the members
sheet first, so the member the approval made is linked, not made a second time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.core.exceptions import ValidationError

from xianfeng.accounts.scope import is_within_scope
from xianfeng.core.importing import Record
from xianfeng.lib.cells import text_key
from xianfeng.lib.cipher import lookup_hash
from xianfeng.lib.idcard import IdNumberError, mask_id_number, parse_id_number
from xianfeng.orgs.importers_support import SheetImporter, comparable

from .domain import mentors, people, steps
from .importers_columns import (
    INTRODUCER_COLUMNS,
    MENTOR_COLUMNS,
    PEOPLE_COLUMNS,
    STEP_COLUMNS,
    masked_text,
)
from .importers_replay import Event, Replay, ReplaySheet, sheet_of
from .models import Introducer, Mentor, Person, Step, StepKind, TalentEntry

ORDER = 114  # after the orgs and members; every recruitment sheet shares it (one replay)
KIND_RANK = {kind: rank for rank, kind in enumerate(StepKind.values)}
UPDATABLE = ("name", "education", "occupation", "sector", "phone", "volunteer_book_no")
STEP_FIELDS = (
    "decided_by",
    "conclusion",
    "ends_on",
    "voters",
    "present",
    "in_favour",
    "days",
    "hours",
    "months",
)
PEOPLE, STEPS, MENTORS, INTRODUCERS = (
    "recruitment_people",
    "recruitment_steps",
    "recruitment_mentors",
    "recruitment_introducers",
)
REGISTER_RANK = -1.0  # a person is registered before anything else of the day
MENTOR_RANK = KIND_RANK[StepKind.ACTIVIST] + 0.5
MENTOR_END_RANK = -0.5
PersonKey = tuple[str, ...]

# --------------------------------------------------------------------------- people


def person_key(number: str, name: str) -> PersonKey:
    """How a row names a person: ("hmac", digest) for a full number, ("masked", number,
    name) for a masked one; IdNumberError for anything else."""
    if "*" in number:
        if len(number) != 18 or not name:
            raise IdNumberError("脱敏的身份证号须为导出文件中的18位号码，并填写姓名")
        return ("masked", number, text_key(name))
    return ("hmac", lookup_hash(parse_id_number(number).number))


def shown_number(number: str) -> str:
    return number if "*" in number else mask_id_number(number)


def stored_people(keys: set[PersonKey], by: Any) -> dict[PersonKey, Person]:
    """The stored people the keys name, inside the user's scope (one query per kind; a
    masked number names a person only when one person has it with that name)."""
    digests = [key[1] for key in keys if key[0] == "hmac"]
    masked = {key[1] for key in keys if key[0] == "masked"}
    query = Person.objects.select_related("org")
    found: dict[PersonKey, Person] = {}
    for person in query.filter(id_number_hmac__in=digests):
        found[("hmac", person.id_number_hmac)] = person
    candidates: dict[PersonKey, list[Person]] = defaultdict(list)
    for person in query.filter(id_number_masked__in=masked):
        candidates[("masked", person.id_number_masked, text_key(person.name))].append(person)
    found |= {key: matches[0] for key, matches in candidates.items() if len(matches) == 1}
    return {k: p for k, p in found.items() if is_within_scope(by, p.org.path)}


def talent_of(values: dict[str, Any], org: Any, by: Any) -> TalentEntry | None:
    """The pool entry of a people row: the same ID number, else the one entry of the
    same name in the org; inside the user's scope."""
    entries = TalentEntry.objects.select_related("org")
    found = None
    if "*" not in values["id_number"]:
        digest = lookup_hash(parse_id_number(values["id_number"]).number)
        found = entries.filter(id_number_hmac=digest).first()
    if found is None:
        same = [e for e in entries.filter(org=org) if text_key(e.name) == text_key(values["name"])]
        found = same[0] if len(same) == 1 else None
    if found is None or not is_within_scope(by, found.org.path):
        return None
    return found


def approved_keys(replay: Replay) -> set[PersonKey]:
    """The people whose approval (党委审批) the file's 发展环节 sheet records. Their writes
    restore a record (the domain's `restoring`): the member the approval made may already
    be on file — a whole-database import reads the members sheet first — and is then
    linked instead of created; its later status changes are not made twice; and their
    talent pool entry may hold that member's ID number."""
    sheet = sheet_of(replay, STEPS)
    rows = sheet.pending if sheet is not None else []
    return {data["key"] for _r, data in rows if data["kind"] == StepKind.APPROVAL}


# --------------------------------------------------------------------------- the sheets


class _PipelineSheet(ReplaySheet):
    """One of the four pipeline sheets; they share one planner."""

    owner_key = "person"
    rank = 10

    def key(self, record: Record, column: str, name_key: str) -> PersonKey | None:
        v = record.values
        try:
            return person_key(v[column], v.get(name_key, ""))
        except IdNumberError as error:
            return self.fail(record, column, masked_text(str(error)))

    @staticmethod
    def planner(replay: Replay) -> list[Event]:
        return _Plan(replay).events()


class _People(_PipelineSheet):
    kind = PEOPLE
    columns = PEOPLE_COLUMNS
    owner_key = "org"
    fields = {"person": "id_number", "__all__": "id_number"}

    def one(self, record: Record) -> str:
        key = self.key(record, "id_number", "name")
        org = self.org(record)
        if key is None or org is None or not self.unique(record, key, "id_number"):
            return "error"
        return self.keep(record, {"key": key, "org": org})


class _Steps(_PipelineSheet):
    kind = STEPS
    columns = STEP_COLUMNS
    fields = {"reason": "conclusion", "training_class": "class_title", "members": "kind"}

    def one(self, record: Record) -> str:
        v = record.values
        key = self.key(record, "person", "person_name")
        if key is None:
            return "error"
        data: dict[str, Any] = {k: v.get(k) for k in ("kind", "on", "special", *STEP_FIELDS)}
        data["key"] = key
        for name in ("org", "to_org"):
            if v.get(name):
                data[name] = self.org(record, name, scoped=False)
                if data[name] is None:
                    return "error"
        data["training_class"] = self.training_class(record)
        if data["training_class"] is None:
            return "error"
        if v["kind"] == StepKind.TRANSFER and not data.get("to_org"):
            return self.reject(record, "to_org", "培养档案转接须填写转入党组织")
        if v.get("entered_by"):
            data["entered_by"] = self.recorder(v["entered_by"])
        return self.keep(record, data)


class _Mentors(_PipelineSheet):
    kind = MENTORS
    columns = MENTOR_COLUMNS
    member_keys = ("member",)
    fields = {"mentor": "member", "on": "started_on"}

    def one(self, record: Record) -> str:
        key = self.key(record, "person", "person_name")
        member = self.member(record, "member", "member_name")
        if key is None or member is None or not self.in_order(record, "started_on", "ended_on"):
            return "error"
        if not self.unique(record, (key, member.pk, record.values["started_on"]), "member"):
            return "error"
        return self.keep(record, {"key": key, "member": member})


class _Introducers(_PipelineSheet):
    kind = INTRODUCERS
    columns = INTRODUCER_COLUMNS
    member_keys = ("member",)
    fields = {"members": "member", "on": "chosen_on", "kind": "chosen_on"}

    def one(self, record: Record) -> str:
        key = self.key(record, "person", "person_name")
        member = self.member(record, "member", "member_name")
        if key is None or member is None or not self.unique(record, (key, member.pk), "member"):
            return "error"
        return self.keep(record, {"key": key, "member": member})


# --------------------------------------------------------------------------- the plan


class _Plan:
    """The events of the four pipeline sheets of one import."""

    def __init__(self, replay: Replay):
        self.replay, self.by = replay, replay.by
        self.sheets = {
            kind: sheet_of(replay, kind) for kind in (PEOPLE, STEPS, MENTORS, INTRODUCERS)
        }
        self.rows = {kind: s.pending if s else [] for kind, s in self.sheets.items()}
        keys = {data["key"] for rows in self.rows.values() for _r, data in rows}
        self.people: dict[PersonKey, Person] = stored_people(keys, self.by)
        self.stored = set(self.people)
        self.new = {data["key"]: (record, data) for record, data in self.rows[PEOPLE]}
        self.introducer_steps: dict[tuple[PersonKey, dt.date], list[Any]] = defaultdict(list)
        self.registered: set[PersonKey] = set()
        self.approved = approved_keys(replay)

    def restoring(self, key: PersonKey) -> bool:
        """Whether the writes of a person restore a record (`approved_keys`)."""
        return key in self.approved

    def events(self) -> list[Event]:
        found = self._registrations() + self._steps() + self._mentors() + self._introducers()
        for (key, _on), rows in self.introducer_steps.items():
            for record, _data in rows:
                message = "“入党介绍人”工作表中没有该人员该日确定的入党介绍人"
                self.replay.refuse(self.sheets[STEPS], record, "kind", message)
                self.replay.failed.add(key)
        if self.sheets[PEOPLE] is not None:
            self.replay.then(self._compare_people)
        return found

    def _known(self, kind: str, record: Record, key: PersonKey) -> bool:
        """Whether the row's person is stored or registered by this file."""
        if key in self.people or key in self.new:
            return True
        number = record.values.get("person") or ""
        message = (
            f"找不到身份证号为 {shown_number(number)} 的发展党员人员"
            "（新登记的人员请同时填写“发展党员人员”工作表）"
        )
        self.replay.refuse(self.sheets[kind], record, "person", message)
        self.replay.failed.add(key)
        return False

    def _of_stored(self, model: Any, fields: tuple[str, ...], kind: str) -> list[Any]:
        """The rows of `model` of the stored people the `kind` sheet names, in one query
        per 900 people (`fields` as tuples, or instances when none)."""
        keys = {data["key"] for _r, data in self.rows[kind]}
        pks = sorted(self.people[key].pk for key in keys & self.stored)
        found: list[Any] = []
        for start in range(0, len(pks), 900):
            rows = model.objects.filter(person_id__in=pks[start : start + 900])
            found += list(rows.values_list(*fields) if fields else rows)
        return found

    # -- registrations --------------------------------------------------------------------

    def _registrations(self) -> list[Event]:
        sheet = self.sheets[PEOPLE]
        applications = {
            data["key"]: (record, data)
            for record, data in self.rows[STEPS]
            if data["kind"] == StepKind.APPLICATION
        }
        found = []
        for key, (record, data) in self.new.items():
            if key in self.stored:
                continue
            if key[0] == "masked":
                self.replay.refuse(sheet, record, "id_number", "新登记的人员须填写完整的身份证号")
                self.replay.failed.add(key)
                continue
            org, on = data["org"], record.values["applied_on"]
            if key in applications:
                step, application = applications[key]
                if application["on"] != on:
                    message = f"与“发展党员人员”工作表的递交申请日期{on:%Y-%m-%d}不一致"
                    self.replay.refuse(self.sheets[STEPS], step, "on", message)
                    self.replay.failed.add(key)
                    continue
                org = application.get("org") or org
            recorder = applications[key][1].get("entered_by") if key in applications else None
            run = self._register(key, record, org, recorder)
            found.append(sheet.event(on, REGISTER_RANK, key, record, run))
        return found

    def _register(self, key: PersonKey, record: Record, org: Any, recorder: Any) -> Any:
        def run() -> str:
            v = record.values
            fields = {
                name: v[name]
                for name in ("gender", "birth_date", "education", "occupation", "sector", "phone")
                if v.get(name) not in (None, "")
            }
            talent = None
            if v.get("talent"):
                talent = talent_of(v, org, self.by)
                if talent is None:
                    message = "人才库中没有找到此人（同一身份证号，或同组织同姓名）"
                    self.replay.refuse(self.sheets[PEOPLE], record, "talent", message)
                    return ""
            self.people[key] = people.register_applicant(
                org=org,
                name=v["name"],
                id_number=v["id_number"],
                applied_on=v["applied_on"],
                talent=talent,
                by=self.by,
                restoring=self.restoring(key),
                **fields,
            )
            self.registered.add(key)
            if recorder:
                self._recorded(key, StepKind.APPLICATION, v["applied_on"], recorder)
            return "created"

        return run

    # -- steps ------------------------------------------------------------------------------

    def _steps(self) -> list[Event]:
        sheet = self.sheets[STEPS]
        pools: dict[int, Counter[tuple[str, dt.date]]] = defaultdict(Counter)
        for person, kind, on in self._of_stored(Step, ("person_id", "kind", "on"), STEPS):
            pools[person][(kind, on)] += 1
        found = []
        for record, data in self.rows[STEPS]:
            key = data["key"]
            if not self._known(STEPS, record, key):
                continue
            if key in self.stored:
                pool = pools[self.people[key].pk]
                if pool[(data["kind"], data["on"])] > 0:
                    pool[(data["kind"], data["on"])] -= 1
                    self.replay.count(sheet, "unchanged")
                    continue
            elif data["kind"] == StepKind.APPLICATION:
                self.replay.count(sheet, "created")  # the registration records it
                continue
            if data["kind"] == StepKind.INTRODUCERS:  # recorded with the introducers
                self.introducer_steps[(key, data["on"])].append((record, data))
                continue
            rank = KIND_RANK[data["kind"]]
            found.append(sheet.event(data["on"], rank, key, record, self._step(key, data)))
        return found

    def _step(self, key: PersonKey, data: dict[str, Any]) -> Any:
        def run() -> str:
            person = self.people[key]
            kind, on = data["kind"], data["on"]
            fields = {k: data[k] for k in STEP_FIELDS if data.get(k) not in (None, "")}
            if data.get("special"):
                fields["special"] = True
            if data.get("to_org") is not None:
                fields["to_org"] = data["to_org"]
            if data.get("training_class"):
                fields["training_class"] = data["training_class"]
            step = steps.record_step(
                person=person,
                kind=kind,
                on=on,
                org=data.get("org"),
                by=self.by,
                restoring=self.restoring(key),
                **fields,
            )
            if data.get("entered_by"):
                Step.objects.filter(pk=step.pk).update(entered_by=data["entered_by"])
            self.people[key] = Person.objects.select_related("org").get(pk=person.pk)
            return "created"

        return run

    def _recorded(self, key: PersonKey, kind: str, on: dt.date, recorder: Any) -> None:
        """The recorder of a step a domain write records itself (the application, the
        introducers), restored as exported."""
        found = Step.objects.filter(person=self.people[key], kind=kind, on=on)
        found.update(entered_by=recorder)

    # -- mentors and introducers ------------------------------------------------------------

    def _mentors(self) -> list[Event]:
        sheet = self.sheets[MENTORS]
        stored = {
            (m.person_id, m.member_id, m.started_on): m
            for m in self._of_stored(Mentor, (), MENTORS)
        }
        found = []
        for record, data in self.rows[MENTORS]:
            key, member, v = data["key"], data["member"], record.values
            if not self._known(MENTORS, record, key):
                continue
            mentor = None
            if key in self.stored:
                mentor = stored.get((self.people[key].pk, member.pk, v["started_on"]))
            ended = v.get("ended_on")
            if mentor is not None and ended in (None, mentor.ended_on):
                self.replay.count(sheet, "unchanged")
                continue
            if mentor is not None and mentor.ended_on is not None:
                sheet.differs(record, "ended_on", mentor.ended_on)
                self.replay.count(sheet, "error")
                continue
            holder = {"mentor": mentor}
            if mentor is None:
                run = self._assign(key, member, v["started_on"], holder)
                found.append(sheet.event(v["started_on"], MENTOR_RANK, key, record, run))
            if ended:
                run = self._end_mentor(ended, holder, mentor is not None)
                found.append(sheet.event(ended, MENTOR_END_RANK, key, record, run))
        return found

    def _assign(self, key: PersonKey, member: Any, on: dt.date, holder: dict[str, Any]) -> Any:
        def run() -> str:
            holder["mentor"] = mentors.assign_mentor(
                person=self.people[key], member=member, on=on, by=self.by
            )
            return "created"

        return run

    def _end_mentor(self, on: dt.date, holder: dict[str, Any], stored: bool) -> Any:
        def run() -> str:
            mentors.end_mentor(mentor=holder["mentor"], on=on, by=self.by)
            return "updated" if stored else ""  # a new row counted when assigned

        return run

    def _introducers(self) -> list[Event]:
        sheet = self.sheets[INTRODUCERS]
        groups: dict[tuple[PersonKey, dt.date], list[tuple[Record, Any]]] = defaultdict(list)
        chosen = set(self._of_stored(Introducer, ("person_id", "member_id"), INTRODUCERS))
        for record, data in self.rows[INTRODUCERS]:
            key = data["key"]
            if not self._known(INTRODUCERS, record, key):
                continue
            if key in self.stored and (self.people[key].pk, data["member"].pk) in chosen:
                self.replay.count(sheet, "unchanged")
                continue
            groups[(key, record.values["chosen_on"])].append((record, data["member"]))
        found = []
        rank = KIND_RANK[StepKind.INTRODUCERS]
        for (key, on), rows in groups.items():
            step_rows = self.introducer_steps.pop((key, on), [])
            recorder = next(
                (d.get("entered_by") for _r, d in step_rows if d.get("entered_by")), None
            )
            shown = step_rows[0][1] if step_rows else None  # the step's words, as exported
            run = self._choose(key, on, [member for _r, member in rows], recorder, shown)
            event = sheet.event(on, rank, key, rows[0][0], run)
            event.after = self._shared_outcome(len(rows) - 1, len(step_rows))
            found.append(event)
        return found

    def _choose(
        self, key: PersonKey, on: dt.date, members: list[Any], recorder: Any, shown: Any
    ) -> Any:
        def run() -> str:
            mentors.choose_introducers(person=self.people[key], members=members, on=on, by=self.by)
            if recorder:
                self._recorded(key, StepKind.INTRODUCERS, on, recorder)
            if shown is not None:
                found = Step.objects.filter(
                    person=self.people[key], kind=StepKind.INTRODUCERS, on=on
                )
                found.update(
                    decided_by=shown.get("decided_by") or "",
                    conclusion=shown.get("conclusion") or "",
                )
            return "created"

        return run

    def _shared_outcome(self, others: int, step_rows: int) -> Any:
        """The group's other rows and its 确定入党介绍人 step rows share the outcome."""

        def after(outcome: str) -> None:
            for _ in range(others):
                self.replay.count(self.sheets[INTRODUCERS], outcome)
            for _ in range(step_rows):
                self.replay.count(self.sheets[STEPS], outcome)

        return after

    # -- the people rows against the people as replayed ------------------------------------

    def _compare_people(self, replay: Replay) -> None:
        sheet = self.sheets[PEOPLE]
        for key, (record, data) in self.new.items():
            person = self.people.get(key)
            if key in replay.failed or person is None:
                continue
            person = Person.objects.select_related("org").get(pk=person.pk)
            v = record.values
            if person.org_id != data["org"].pk:
                message = f"与系统中登记的“{person.org.code}”不一致（转接请在发展环节中记录）"
                replay.refuse(sheet, record, "org", message)
                continue
            if person.applied_on != v["applied_on"]:
                sheet.differs(record, "applied_on", person.applied_on)
                replay.count(sheet, "error")
                continue
            changes = {
                name: v[name]
                for name in UPDATABLE
                if v.get(name) not in (None, "") and v[name] != comparable(getattr(person, name))
            }
            outcome = "" if key in self.registered else "unchanged"
            if changes:
                try:
                    people.update_person(person=person, by=self.by, **changes)
                except ValidationError as error:
                    replay.report(sheet, record, error)
                    replay.count(sheet, "error")
                    continue
                outcome = outcome and "updated"
            replay.count(sheet, outcome)


# --------------------------------------------------------------------------- importers


class PeopleImporter(SheetImporter):
    kind = PEOPLE
    title = "发展党员人员"
    sheet_names = ("入党申请人", "发展党员名册", "recruitment_people")
    columns = PEOPLE_COLUMNS
    order = ORDER
    sheet = _People


class StepImporter(SheetImporter):
    kind = STEPS
    title = "发展环节"
    sheet_names = ("发展党员环节", "发展党员全程记实", "recruitment_steps")
    columns = STEP_COLUMNS
    order = ORDER
    sheet = _Steps


class MentorImporter(SheetImporter):
    kind = MENTORS
    title = "培养联系人"
    sheet_names = ("入党积极分子培养联系人", "recruitment_mentors")
    columns = MENTOR_COLUMNS
    order = ORDER
    sheet = _Mentors


class IntroducerImporter(SheetImporter):
    kind = INTRODUCERS
    title = "入党介绍人"
    sheet_names = ("介绍人", "recruitment_introducers")
    columns = INTRODUCER_COLUMNS
    order = ORDER
    sheet = _Introducers
