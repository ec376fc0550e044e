"""Exports (PLAT-03), scoped to the user and recorded (PLAT-02). Every export uses its
import sheet's columns, so it re-imports.

Each app declares what it exports in its own `exports.py` as `EXPORTS`, a tuple of
`Export` (listed in settings.EXPORTS, in the order a workbook of them must be imported);
this module only finds the kind, checks the right to unmasked numbers, writes and records.
What it must ask the apps (the scope, the right, the keys) goes through `core.hooks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.module_loading import import_string

from .history import current_via
from .hooks import hook
from .models import ExportRecord
from .workbooks import reporting

Progress = Callable[[int, int], None]  # (rows written, rows in all; 0 if not known)


@dataclass(frozen=True)
class ExportScope:
    """Whose data an export holds: the user's scope (None: the command line, everything),
    narrowed to `org`'s subtree when given; `unmasked` asks for full ID numbers."""

    user: Any
    org: Any = None
    unmasked: bool = False

    def orgs(self) -> Any:
        return hook("export_orgs")(self.user, self.org)


@dataclass(frozen=True)
class Export:
    """One kind of export: `write(target, scope)` writes the workbook and returns its rows;
    `count(scope)`, when given, tells a background export's progress the rows to come."""

    kind: str
    title: str
    write: Callable[[Path | IO[bytes], ExportScope], int]
    count: Callable[[ExportScope], int] | None = None


@cache
def exports() -> dict[str, Export]:
    found: dict[str, Export] = {}
    for path in settings.EXPORTS:
        for item in import_string(path):
            found[item.kind] = item
    return found


def export_kinds() -> dict[str, str]:
    """kind → Chinese title, in import order."""
    return {kind: item.title for kind, item in exports().items()}


def export(
    *,
    kind: str,
    target: Path | IO[bytes],
    user: Any,
    org: Any = None,
    unmasked: bool = False,
    progress: Progress | None = None,
) -> ExportRecord:
    """Write `kind` rows of the user's scope (or `org`'s subtree inside it) to `target`.

    `user` None is the command line (full rights). Unmasked ID numbers need the right to
    see personal identifiers. `progress(done, total)` is told the rows written as they go
    (total 0 when the kind cannot count its rows beforehand).
    """
    found = exports().get(kind)
    if found is None:
        choices = "、".join(f"{name}（{title}）" for name, title in export_kinds().items())
        raise ValidationError({"kind": f"导出内容应为 {choices}"})
    if unmasked and user is not None and not hook("may_unmask")(user):
        raise PermissionDenied("您没有查看完整身份证号的权限，只能导出脱敏数据")
    if unmasked:  # a clear error, before anything is written, when the keys do not fit
        hook("check_id_keys")()
    scope = ExportScope(user=user, org=org, unmasked=unmasked)
    rows = _write(found, target, scope, progress)
    return ExportRecord.objects.create(
        kind=kind, org=org, user=user, via=current_via(), unmasked=unmasked, rows=rows
    )


def _write(found: Export, target: Path | IO[bytes], scope: ExportScope, progress: Any) -> int:
    if progress is None:
        return found.write(target, scope)
    total = found.count(scope) if found.count is not None else 0
    progress(0, total)
    with reporting(lambda done: progress(done, total)):
        rows = found.write(target, scope)
    progress(rows, rows)
    return rows
