"""The 培训班 (training classes) and 培训报名 (enrolment) sheets."""

from __future__ import annotations

from typing import Any

from xianfeng.core.importing import Record
from xianfeng.lib.cells import clean_text, text_key
from xianfeng.orgs.importers_support import SheetImporter

from .. import domain, restore
from ..models import Enrollment, EnrollmentStatus, TrainingClass, TrainingStatus
from .base import StudySheet, past_member
from .columns import CLASS_COLUMNS, ENROLLMENT_COLUMNS


class _Classes(StudySheet):
    columns = CLASS_COLUMNS
    keys = ("kind", "organizer", "status", "ends_on", "days", "hours", "place", "content")

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None or not self.in_order(record, "starts_on", "ends_on"):
            return "error"
        key = (org.pk, text_key(v["title"]), v["starts_on"])
        if not self.unique(record, key, "title"):
            return "error"
        fields = {k: v.get(k) for k in self.keys}
        fields["status"] = fields["status"] or TrainingStatus.HELD
        stored = self.stored(org, _classes_by_key).get(key)
        if stored is not None:
            record.values["status"] = fields["status"]
            return "error" if self.changed(record, stored, self.keys) else "unchanged"
        made = self.call(
            record,
            domain.create_training_class,
            org=org,
            title=v["title"],
            starts_on=v["starts_on"],
            **{k: ("" if x is None else x) for k, x in fields.items()},
        )
        if made is None:
            return "error"
        self.stored(org, _classes_by_key)[key] = made
        return "created"


def _classes_by_key(org: Any) -> dict[tuple[Any, ...], TrainingClass]:
    found: dict[tuple[Any, ...], TrainingClass] = {}
    for item in org.training_classes.order_by("pk"):
        found.setdefault((org.pk, text_key(item.title), item.starts_on), item)
    return found


class TrainingClassImporter(SheetImporter):
    kind = "training_classes"
    title = "培训班"
    sheet_names = ("培训班次", "training_classes")
    columns = CLASS_COLUMNS
    order = 57
    sheet = _Classes


class _Enrollments(StudySheet):
    """A row is one member's enrolment in a class (org, name, first day); its status is
    set through `enroll_members` or `record_training_attendance`."""

    columns = ENROLLMENT_COLUMNS
    member_keys = ("member",)

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record, scoped=False)
        member = self.member(record, "member", "name")
        if org is None or member is None:
            return "error"
        found = self.stored(org, _classes_by_key).get(
            (org.pk, text_key(v["title"]), v["starts_on"])
        )
        if found is None or not self.may_edit(org):
            message = f"找不到{org.name}{v['starts_on']}开班的培训班“{v['title']}”"
            return self.reject(record, "title", message)
        if not self.unique(record, (found.pk, member.pk), "member"):
            return "error"
        rows = self.stored(found, lambda c: {e.member_id: e for e in c.enrollments.all()})
        row = rows.get(member.pk)
        status = v.get("status") or EnrollmentStatus.ENROLLED
        hours = v.get("hours") if status == EnrollmentStatus.ATTENDED else None
        if row is not None and (row.status, row.hours) == (status, hours):
            return self._note(record, row, "unchanged")
        past = past_member(member, found.ends_on, found.org)
        if status == EnrollmentStatus.ENROLLED:
            if row is not None:
                return self.reject(record, "status", "已登记参训情况的报名不能改回“已报名”")
            made = self.call(record, domain.enroll_members, training_class=found, members=[past])
        else:
            came, missed = ([past], []) if status == EnrollmentStatus.ATTENDED else ([], [past])
            made = self.call(
                record,
                domain.record_training_attendance,
                training_class=found,
                attended=came,
                absent=missed,
                hours=hours,
            )
        if not made:
            return "error"
        rows[member.pk] = made[0]
        return self._note(record, made[0], "created" if row is None else "updated")

    def _note(self, record: Record, row: Enrollment, outcome: str) -> str:
        note = record.values.get("note", "")
        if clean_text(row.note) == note:
            return outcome
        saved = self.call(record, restore.set_enrollment_note, row=row, note=note)
        if saved is None:
            return "error"
        return "updated" if outcome == "unchanged" else outcome


class EnrollmentImporter(SheetImporter):
    kind = "enrollments"
    title = "培训报名"
    sheet_names = ("参训人员", "培训学员", "enrollments")
    columns = ENROLLMENT_COLUMNS
    order = 58  # the classes first
    sheet = _Enrollments
