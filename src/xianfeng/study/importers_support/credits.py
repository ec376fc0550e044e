"""The 会议学时认定 sheet: hours credited to study meetings."""

from __future__ import annotations

from xianfeng.core.importing import Record
from xianfeng.lib.cells import clean_text
from xianfeng.orgs.importers_support import SheetImporter

from .. import domain
from ..models import MeetingCredit
from .base import StudySheet
from .columns import CREDIT_COLUMNS


class _Credits(StudySheet):
    columns = CREDIT_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        meeting = self.meeting(record, ("org", "kind", "held_on", "topic", "number"))
        if meeting is None:
            return "error"
        if not self.may_edit(meeting.org):
            return self.reject(record, "org", f"您对“{meeting.org.name}”只有查看权限")
        if not self.unique(record, meeting.pk, "topic"):
            return "error"
        stored = MeetingCredit.objects.filter(meeting=meeting).first()
        note = v.get("note", "")
        if stored is not None and (stored.hours, clean_text(stored.note)) == (v["hours"], note):
            return "unchanged"
        saved = self.call(
            record, domain.credit_meeting_hours, meeting=meeting, hours=v["hours"], note=note
        )
        if saved is None:
            return "error"
        return "created" if stored is None else "updated"


class MeetingCreditImporter(SheetImporter):
    kind = "meeting_credits"
    title = "会议学时认定"
    sheet_names = ("会议学时", "meeting_credits")
    columns = CREDIT_COLUMNS
    order = 72  # after meetings
    sheet = _Credits
