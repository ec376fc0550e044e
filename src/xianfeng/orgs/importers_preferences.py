"""Importing an org's own decisions (本组织设置, orgs.preferences) (round trip, issue 13 §6).

One row per org and preference: the preference by its title (or key), the value as the
page shows it (weekdays as 周一、周六; numbers as numbers). Written through
`preferences.set_preference` (the org's own admins or admins above; the policy's bounds
apply), after the policies, which bound some of them. A row equal to the stored value and
note writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.core.importing import Column, Record

from .importers_support import ORG_ALIASES, ORG_NOTE, Sheet, SheetImporter, comparable
from .models import Org, OrgPreference
from .preferences import PREFERENCES, WEEKDAY_LABELS, clean_preference, set_preference

_KEY_BY_TITLE = {pref.title: key for key, pref in PREFERENCES.items()}
_DAY_BY_LABEL = {label: day for day, label in WEEKDAY_LABELS.items()}
_SEPARATORS = "、,，;；/ "


def clean_preference_key(value: Any) -> str:
    from xianfeng.lib.cells import CellError, clean_text

    text = clean_text(value)
    if not text:
        return ""
    key = text if text in PREFERENCES else _KEY_BY_TITLE.get(text)
    if key is None:
        titles = "、".join(pref.title for pref in PREFERENCES.values())
        raise CellError(f"“{text}”不是本组织设置的事项，应为：{titles}")
    return key


def shown_value(key: str, value: Any) -> Any:
    """A stored value as the sheet shows it."""
    if isinstance(value, list):
        return "、".join(WEEKDAY_LABELS.get(str(day), str(day)) for day in value)
    return value


def _parsed_value(key: str, value: Any) -> Any:
    if not PREFERENCES[key].bound:
        return value
    text = str(value or "")
    for separator in _SEPARATORS[1:]:
        text = text.replace(separator, _SEPARATORS[0])
    return [_DAY_BY_LABEL.get(item, item) for item in text.split(_SEPARATORS[0]) if item]


PREFERENCE_COLUMNS = (
    Column("org", "党组织", aliases=ORG_ALIASES, required=True, note=ORG_NOTE, text=True),
    Column(
        "key",
        "事项",
        clean_preference_key,
        ("设置事项", "设置"),
        required=True,
        choices=[pref.title for pref in PREFERENCES.values()],
    ),
    Column(
        "value",
        "取值",
        lambda value: value if not isinstance(value, str) else value.strip(),
        ("设置值", "值"),
        required=True,
        note="星期几用顿号分隔，如“周一、周六”；金额、日期填数字",
    ),
    Column("note", "说明", aliases=("备注",)),
)


class _Preferences(Sheet):
    columns = PREFERENCE_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None or not self.unique(record, (org.pk, v["key"]), "key"):
            return "error"
        value = _parsed_value(v["key"], v["value"])
        stored = self.stored(org, _preferences).get(v["key"])
        try:
            cleaned = clean_preference(org, v["key"], value)
        except ValidationError as error:
            self.report(record, error)
            return "error"
        note = v.get("note", "")
        if stored is not None and stored.value == cleaned and comparable(stored.note) == note:
            return "unchanged"
        try:
            set_preference(org=org, key=v["key"], value=value, note=note, by=self.by)
        except PermissionDenied as error:
            return self.reject(record, "org", str(error))
        except ValidationError as error:
            self.report(record, error)
            return "error"
        return "created" if stored is None else "updated"


def _preferences(org: Org) -> dict[str, OrgPreference]:
    return {row.key: row for row in org.preferences.all()}


class PreferenceImporter(SheetImporter):
    kind = "preferences"
    title = "本组织设置"
    sheet_names = ("组织设置", "preferences")
    columns = PREFERENCE_COLUMNS
    order = 98  # after the policies, which bound some of the choices
    sheet = _Preferences
