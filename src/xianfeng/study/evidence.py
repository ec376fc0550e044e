"""Labels of the evidence the STUDY rules emit (issue 14; the table is in
compliance/evidence.py): study hours by source, trainings, plans and training classes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xianfeng.compliance.evidence import Label, Ref, by_kind, count, date, hours

from .models import RecordSource, TrainingClass, TrainingKind


def class_names(ids: set[Any]) -> dict[Any, str]:
    """Training class ids → "培训班名称（2025年3月5日）"."""
    rows = TrainingClass.objects.filter(pk__in=ids).values_list("pk", "title", "starts_on")
    return {pk: f"{title}（{date(starts_on)}）" for pk, title, starts_on in rows}


TIMES = count(_("次"))
DAYS = count(_("天"))
ENTRIES = count(_("条"))

LABELS = {
    # STUDY-01 hours and trainings
    "hours": Label(_("集中学习培训"), hours, threshold=hours),
    "required": Label(_("应达到"), hours),
    "expected": Label(_("按进度应达到"), hours),
    "counted": Label(_("计入的学时"), by_kind(hours)),
    "not_counted": Label(_("未计入的学时"), by_kind(hours)),
    "member_days": Label(_("本年计入的党员天数"), DAYS),
    "seat_days": Label(_("本年任职天数"), DAYS),
    "year_days": Label(_("全年天数"), DAYS),
    "day": Label(_("统计截至"), date),
    "trainings": Label(_("参加集中培训"), TIMES, threshold=TIMES),
    # STUDY-03 plans
    "arrangements": Label(_("学习安排"), ENTRIES, threshold=ENTRIES),
    "items": Label(_("安排条数"), ENTRIES, threshold=ENTRIES),
    "done": Label(_("已完成"), ENTRIES),
    # STUDY-04 classes
    "classes": Label(_("培训班"), Ref("training_class"), threshold=TIMES),
    "min_days": Label(_("每次至少"), DAYS),
}
NAMES = {"training_class": class_names}
TERMS = {
    **{source.value: source.label for source in RecordSource},
    **{kind.value: kind.label for kind in TrainingKind},
}
