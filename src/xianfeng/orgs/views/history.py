"""The history table of a record (PLAT-02): who changed what, newest first."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Field, Model
from simple_history.models import ModelChange

HISTORY_LIMIT = 30
HISTORY_SKIP = {"id", "entered_at", "updated_at", "name_initials"}


def _model_field(model: type[Model], name: str) -> Field:
    return cast(Field, model._meta.get_field(name))


def _display(model: type[Model], field: str, value: Any) -> str:
    model_field = _model_field(model, field)
    if value in (None, "", []):
        return "（空）"
    if model_field.choices:
        labels = dict(model_field.flatchoices)
        if isinstance(value, list):
            return "、".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _change_text(model: type[Model], change: Any) -> str:
    field = _model_field(model, change.field)
    if field.is_relation:  # the row holds only the related pk
        return str(field.verbose_name)
    old, new = (_display(model, change.field, value) for value in (change.old, change.new))
    return f"{field.verbose_name}：{old} → {new}"


def history_rows(instance: Model, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The latest history rows of `instance` with who changed what (PLAT-02).

    One query: each row is diffed against the next older one fetched in the same batch.
    """
    model = type(instance)
    records = list(instance.history.select_related("history_user")[: limit + 1])  # type: ignore[attr-defined]
    rows = []
    for record, older in zip(records, [*records[1:], None], strict=False):
        rows.append({"record": record, "changes": _changes(model, record, older)})
    return rows[:limit]


def _changes(model: type[Model], record: Any, older: Any) -> list[str]:
    if record.history_type == "+":
        return ["新建"]
    if older is None:
        return []
    delta = record.diff_against(older, excluded_fields=HISTORY_SKIP)
    changes = [*delta.changes, *_non_editable_changes(record, older)]
    return [_change_text(model, change) for change in changes]


def _non_editable_changes(record: Any, older: Any) -> list[ModelChange]:
    """diff_against skips non-editable fields, e.g. the masked ID number."""
    names = [f.name for f in record.tracked_fields if not f.editable and f.name not in HISTORY_SKIP]
    return [
        ModelChange(name, getattr(older, name), getattr(record, name))
        for name in names
        if getattr(older, name) != getattr(record, name)
    ]
