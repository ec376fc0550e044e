"""What the study sheets share: courses by title, stored values compared with cells,
meetings by natural key, and members as they were on a past day."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from typing import Any

from xianfeng.core.importing import Errors, Record
from xianfeng.lib.cells import CellError, text_key
from xianfeng.members.models import Status
from xianfeng.orglife.importers import meeting_key, meetings_by_key
from xianfeng.orgs.importers_support import Sheet

from .. import restore
from ..models import Course


class StudySheet(Sheet):
    """Look-ups shared by the study sheets: courses by title, classes, plans, meetings."""

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.courses: dict[str, list[Course]] = defaultdict(list)
        for course in Course.objects.select_related("org").order_by("-published_on", "-pk"):
            self.courses[text_key(course.title)].append(course)

    def course(self, record: Record, org: Any) -> Course | None:
        """The course a row names, published to `org` (the nearest publisher, then the
        latest); one published elsewhere reads as missing."""
        v = record.values
        title = v.get("course", "")
        publisher = v.get("course_org", "")
        found = [
            c
            for c in self.courses.get(text_key(title), [])
            if org.path.startswith(c.org.path)
            and (not publisher or publisher in (c.org.code, c.org.name))
        ]
        if not found:
            return self.fail(record, "course", f"找不到课程“{title}”（须为本组织或上级发布的课程）")
        return max(found, key=lambda c: len(c.org.path))

    def same(self, key: str, stored: Any, value: Any) -> bool:
        """A stored value equals a cell's value once cleaned like the cell was."""
        if value in (None, "", []) and stored in (None, "", []):
            return True
        column = next(c for c in self.columns if c.key == key)
        if stored is not None and not isinstance(stored, list | bool):
            with contextlib.suppress(CellError):
                stored = column.clean(stored)
        return stored == value

    def changed(self, record: Record, stored: Any, keys: tuple[str, ...]) -> bool:
        """Report the first column that differs from a record import cannot change."""
        for key in keys:
            value = record.values.get(key)
            current = getattr(stored, key)
            if not self.same(key, current, value):
                shown = current if current not in (None, "") else "（空）"
                message = f"与系统中已登记的“{shown}”不一致（修改请在页面上办理）"
                self.errors.add(record, None, self.labels[key], message)
                return True
        return False

    def meeting(self, record: Record, keys: tuple[str, ...]) -> Any:
        """A meeting named by its natural key (org, kind, day, topic, 同日序号), as the
        组织生活 sheet matches meetings (`orglife.importers.meeting_key`)."""
        org_key, kind_key, day_key, topic_key, number_key = keys
        v = record.values
        org = self.org(record, org_key, scoped=False)
        if org is None:
            return None
        if not (v.get(kind_key) and v.get(day_key) and v.get(topic_key)):
            return self.fail(record, org_key, "请填写会议的党组织、类型、日期和主题")
        key = meeting_key(org.pk, v[kind_key], v[day_key], v[topic_key], v.get(number_key))
        found = self.stored(org, meetings_by_key).get(key)
        if found is None:
            message = f"找不到{org.name}{v[day_key]}召开的会议“{v[topic_key]}”"
            return self.fail(record, topic_key, message)
        return found


def past_member(member: Any, day: dt.date, org: Any) -> Any:
    """The member as they were on `day` when they have since left or moved away."""
    moved = not member.org.path.startswith(org.path)
    return restore.member_as_of(member, day) if member.status == Status.LEFT or moved else member
