"""The 课程 (courses' metadata) and 必学清单 (must-learn lists) sheets."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from xianfeng.core.importing import Errors, Record
from xianfeng.lib.cells import text_key
from xianfeng.orgs.importers_support import SheetImporter

from .. import domain, restore
from ..models import Course, MustLearnList
from .base import StudySheet
from .columns import COURSE_COLUMNS, MUST_LEARN_COLUMNS


class _Courses(StudySheet):
    columns = COURSE_COLUMNS
    keys = ("kind", "hours", "tags", "summary", "body", "file_name", "active")

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None:
            return "error"
        key = (org.pk, text_key(v["title"]), v["published_on"])
        if not self.unique(record, key, "title"):
            return "error"
        fields = {k: v[k] for k in self.keys if k in v}
        if fields.get("active") is None:
            fields["active"] = True
        stored = self.stored(org, _courses_by_key).get(key)
        if stored is None:
            fields |= {"title": v["title"], "published_on": v["published_on"]}
            return self._save(record, None, org, fields, "created")
        changes = {k: x for k, x in fields.items() if not self.same(k, getattr(stored, k), x)}
        if not changes:
            return "unchanged"
        return self._save(record, stored, org, changes, "updated")

    def _save(self, record: Record, course: Any, org: Any, fields: dict, outcome: str) -> str:
        saved = self.call(record, restore.save_course, course=course, org=org, **fields)
        if saved is None:
            return "error"
        self.stored(org, _courses_by_key)[(org.pk, text_key(saved.title), saved.published_on)] = (
            saved
        )
        return outcome


def _courses_by_key(org: Any) -> dict[tuple[Any, ...], Course]:
    found: dict[tuple[Any, ...], Course] = {}
    for course in org.courses.order_by("pk"):
        found.setdefault((org.pk, text_key(course.title), course.published_on), course)
    return found


class CourseImporter(SheetImporter):
    kind = "courses"
    title = "课程"
    sheet_names = ("课程菜单", "课程目录", "courses")
    columns = COURSE_COLUMNS
    order = 55  # after members, before the lists, plans and records naming courses
    sheet = _Courses


class _MustLearn(StudySheet):
    """Rows grouped by list (org, year); a new list is published at the end of the sheet
    with its courses in 序号 order; a published list cannot be changed by an import."""

    columns = MUST_LEARN_COLUMNS
    list_keys = ("title", "published_on", "note")

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.lists: dict[tuple[int, int], list[tuple[Record, Course]]] = defaultdict(list)
        self.orgs: dict[int, Any] = {}

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        course = self.course(record, org) if org is not None else None
        if org is None or course is None:
            return "error"
        if not self.unique(record, (org.pk, v["year"], course.pk), "course"):
            return "error"
        self.orgs[org.pk] = org
        self.lists[(org.pk, v["year"])].append((record, course))
        return "pending"

    def finish(self) -> dict[str, int]:
        for (org_id, year), rows in self.lists.items():
            outcome = self._list(self.orgs[org_id], year, rows)
            self.outcomes[outcome] += len(rows) if outcome != "error" else 0
        return super().finish()

    def _list(self, org: Any, year: int, rows: list[tuple[Record, Course]]) -> str:
        first = rows[0][0]
        for record, _course in rows[1:]:
            for key in self.list_keys:
                if record.values.get(key) != first.values.get(key):
                    message = f"同一清单各行的“{self.labels[key]}”应一致（第 {first.row} 行）"
                    return self.reject(record, key, message)
        stored = MustLearnList.objects.filter(org=org, year=year).first()
        ordered = sorted(rows, key=lambda row: (row[0].values.get("position") or 0, row[0].row))
        if stored is None:
            v = first.values
            made = self.call(
                first,
                domain.publish_must_learn_list,
                org=org,
                year=year,
                courses=[course for _record, course in ordered],
                published_on=v["published_on"],
                title=v.get("title", ""),
                note=v.get("note", ""),
            )
            return "created" if made is not None else "error"
        return self._compare(stored, first, ordered)

    def _compare(self, stored: MustLearnList, first: Record, ordered: list) -> str:
        if first.values.get("title") and self.changed(first, stored, ("title",)):
            return "error"
        if self.changed(first, stored, ("published_on", "note")):
            return "error"
        items = list(stored.items.order_by("position", "pk").values_list("course_id", flat=True))
        if items != [course.pk for _record, course in ordered]:
            message = "与系统中已发布的清单课程不一致（已发布的清单请在页面上修改）"
            return self.reject(first, "course", message)
        return "unchanged"


class MustLearnImporter(SheetImporter):
    kind = "must_learn"
    title = "必学清单"
    sheet_names = ("必学必知必会清单", "必学内容", "must_learn")
    columns = MUST_LEARN_COLUMNS
    order = 56
    sheet = _MustLearn
