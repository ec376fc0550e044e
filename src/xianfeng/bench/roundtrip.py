"""The whole-database round trip (issue 13, Deliver 6): export every kind, empty the
database, import the files, and compare every recorded row by its natural values.

Generic on purpose: it finds the models through the app registry, the kinds through
`core.exports.exports()` and the importers through `core.importing`, so a kind added to
settings.EXPORTS / settings.IMPORTERS takes part without a change here. No domain app is
imported at module level.

`snapshot()` is a multiset of rows per model, each row the model's compared fields with
every foreign key replaced by the natural key of the row it points at (org → code, member
→ code, account → username, otherwise a unique field or the referenced row's own compared
values, recursively). `diff()` tells per model which rows are only before or only after.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from xianfeng.core.exports import export, exports
from xianfeng.core.importing import ImportFailed, run_import

Row = tuple[Any, ...]
Snapshot = dict[str, "Table"]

# Models left out of the comparison, each with its reason.
EXCLUDED_MODELS: dict[str, str] = {
    "core.Job": "background jobs: machinery, not recorded data",
    "core.ExportRecord": "audit of exports (the round trip itself writes them)",
    "accounts.ApiToken": "tokens are secrets; they never travel in spreadsheets",
    "accounts.FailedLogins": "login failures: lockout bookkeeping",
    "members.IdNumberView": "audit of who saw a full ID number",
    "members.IdNumberProbe": "audit of ID-number look-ups",
    "compliance.Run": "check runs: derived; the findings are compared separately",
    "compliance.Finding": "findings: derived; compared separately (same_findings)",
    "notices.Notice": "notices: messages to users about events, not recorded data",
    "notices.Reminded": "what the daily digests told whom: bookkeeping of notices",
    "recruitment.StepFile": "documents uploaded to a recruitment step: the files travel with "
    "backups, and the recruitment export has no sheet of them",
    "dues.Due": "the dues ledger's lines: derived (dues.ledger computes what each month owes, "
    "paid is the sum of the month's restored entries); tests/core/test_roundtrip.py compares "
    "what they owe and what was paid",
    "dues.MonthTotal": "the lines' sums per org and month: derived from dues.Due (kept by "
    "dues.kept_totals; tests/dues/test_restore.py checks them against the restored lines)",
}

# Fields left out of the comparison (besides the pk and auto_now/auto_now_add timestamps,
# which are always left out, and history models, which are never compared).
EXCLUDED_FIELDS: dict[str, dict[str, str]] = {
    "accounts.User": {
        "password": "passwords never travel; re-imported accounts must set one",
        "must_change_password": "set on every re-imported account (it has no password)",
        "last_login": "login bookkeeping",
        "date_joined": "timestamp of the account's creation",
    },
    "orgs.Org": {
        "path": "tree position as stored (sibling order); compared as the parent's code",
        "depth": "follows from the parent",
        "numchild": "follows from the children",
    },
    "members.Member": {
        "id_number_cipher": "encrypted with a random nonce; compared via id_number_hmac",
    },
    "recruitment.Person": {
        "id_number_cipher": "encrypted with a random nonce; compared via id_number_hmac",
    },
    "recruitment.TalentEntry": {
        "id_number_cipher": "encrypted with a random nonce; compared via id_number_hmac",
    },
    "members.Transfer": {
        "sent_by": "who recorded it",
        "answered_by": "who recorded it",
    },
    "orglife.LeaveRequest": {"decided_by": "who recorded it", "decided_at": "when recorded"},
    "orglife.Exemption": {"decided_by": "who recorded it", "decided_at": "when recorded"},
    "study.StudyRecord": {
        "entered_by": "who recorded it",
        "decided_by": "who recorded it",
        "decided_at": "when recorded",
    },
    # Uploaded files are stored under random names and travel with backups, not in
    # spreadsheets; their metadata (file_name, size …) is compared.
    "orglife.LessonMaterial": {"file": "uploaded file (travels with backups)"},
    "orglife.Attachment": {"file": "uploaded file (travels with backups)"},
    "orglife.AffairsRecord": {"file": "uploaded file (travels with backups)"},
    "study.Course": {"file": "uploaded file (travels with backups)"},
    "supervision.ItemFile": {"file": "uploaded file (travels with backups)"},
    "supervision.Reinspection": {
        "sample": "item ids (new after a restore); they travel as item numbers and come back "
        "as the restored items' ids (tests/supervision/test_restore.py compares them)",
        "reopened": "item ids, as `sample`",
    },
    "supervision.Item": {
        "version": "concurrency bookkeeping: bumped by every transition, not recorded data",
    },
    "dues.KindSpell": {"entered_by": "who recorded it"},
    "dues.Declaration": {"entered_by": "who recorded it"},
    "dues.Payment": {"entered_by": "who recorded it"},
    "dues.MonthClose": {"closed_by": "who recorded it"},
    "dues.Reduction": {"entered_by": "who recorded it", "decided_by": "who recorded it"},
    "dues.Arrangement": {"entered_by": "who recorded it"},
    "dues.Remittance": {"entered_by": "who recorded it"},
}

# Referenced rows whose natural key is one field (others: a unique field, else the row).
NATURAL_FIELDS = {"orgs.Org": "code", "members.Member": "code", "accounts.User": "username"}

EXAMPLES = 3  # rows shown per side of a difference


class Table:
    """The rows of one model as a multiset, with the column names they carry."""

    def __init__(self, columns: list[str], rows: Counter[Row]):
        self.columns = columns
        self.rows = rows

    def count(self) -> int:
        return sum(self.rows.values())

    def as_dict(self, row: Row) -> dict[str, Any]:
        return {name: _plain(value) for name, value in zip(self.columns, row, strict=False)}


def compared_models() -> list[type[models.Model]]:
    """Every model of the project's apps that holds recorded data (see EXCLUDED_MODELS)."""
    found = []
    for model in apps.get_models():
        label = model._meta.label
        if not model.__module__.startswith("xianfeng.") or label in EXCLUDED_MODELS:
            continue
        if _is_history(model):
            continue
        found.append(model)
    return found


def _is_history(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type") or model.__name__.startswith("Historical")


def history_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("xianfeng") and _is_history(m)]


def history_rows() -> int:
    return sum(model._base_manager.count() for model in history_models())


def compared_fields(model: type[models.Model]) -> list[models.Field]:  # type: ignore[type-arg]
    skipped = EXCLUDED_FIELDS.get(model._meta.label, {})
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key
        and field.name not in skipped
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]


def _is_tree(model: type[models.Model]) -> bool:
    """A treebeard materialized-path model: compared by its parent's natural key."""
    return hasattr(model, "steplen") and any(f.name == "path" for f in model._meta.fields)


# --- snapshot ---------------------------------------------------------------------------


class _Keys:
    """Natural keys of referenced rows, one query per model (cached), by pk."""

    def __init__(self) -> None:
        self.cache: dict[type[models.Model], dict[Any, Any]] = {}
        self.rows: dict[type[models.Model], list[tuple[Any, Row]]] = {}

    def of(self, model: type[models.Model]) -> dict[Any, Any]:
        if model not in self.cache:
            self.cache[model] = self._load(model)
        return self.cache[model]

    def _load(self, model: type[models.Model]) -> dict[Any, Any]:
        name = _natural_field(model)
        if name is not None:
            field = model._meta.get_field(name)
            if not field.is_relation:
                return dict(model._base_manager.values_list("pk", name).iterator(chunk_size=5000))
            keys = self.of(field.related_model)  # type: ignore[arg-type]
            pairs = model._base_manager.values_list("pk", name).iterator(chunk_size=5000)
            return {pk: keys.get(value) for pk, value in pairs}
        self.cache[model] = {}  # a self-reference while loading resolves to None
        return dict(self.table_rows(model))

    def table_rows(self, model: type[models.Model]) -> list[tuple[Any, Row]]:
        """(pk, compared row) of every row of `model`, kept for the model's own table."""
        if model not in self.rows:
            self.rows[model] = list(_rows(model, self))
        return self.rows[model]


def _natural_field(model: type[models.Model]) -> str | None:
    label = model._meta.label
    if label in NATURAL_FIELDS:
        return NATURAL_FIELDS[label]
    skipped = EXCLUDED_FIELDS.get(label, {})
    unique = [
        f
        for f in model._meta.concrete_fields
        if f.unique
        and not f.primary_key
        and f.name not in skipped
        and f.name != "path"
        and f.related_model is not model  # a one-to-one to its own kind (a reversal)
    ]
    plain = [f for f in unique if not f.is_relation]
    chosen = plain or unique
    return chosen[0].name if chosen else None


def _columns(model: type[models.Model]) -> list[str]:
    names = [field.name for field in compared_fields(model)]
    return [*names, "parent"] if _is_tree(model) else names


def _rows(model: type[models.Model], keys: _Keys) -> Iterable[tuple[Any, Row]]:
    fields = compared_fields(model)
    converters: list[Callable[[Any], Any]] = []
    for field in fields:
        if field.is_relation:
            converters.append(_lookup(keys, field.related_model))  # type: ignore[arg-type]
        else:
            converters.append(_hashable)
    attnames = [field.attname for field in fields]
    tree = _is_tree(model)
    if tree:
        attnames.append("path")
        parents = _parents(model, keys)
        converters.append(lambda path: parents.get(path[: -model.steplen]))  # type: ignore[attr-defined]
    query = model._base_manager.order_by().values_list("pk", *attnames)
    for pk, *values in query.iterator(chunk_size=5000):
        yield pk, tuple(convert(value) for convert, value in zip(converters, values, strict=True))


def _lookup(keys: _Keys, model: type[models.Model]) -> Callable[[Any], Any]:
    def convert(pk: Any) -> Any:
        return None if pk is None else keys.of(model).get(pk, ("?", pk))

    return convert


def _parents(model: type[models.Model], keys: _Keys) -> dict[str, Any]:
    natural = keys.of(model)
    return {path: natural.get(pk) for pk, path in model._base_manager.values_list("pk", "path")}


def _hashable(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.time | Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def snapshot() -> Snapshot:
    """Every compared model's rows as a multiset of natural values (see the module)."""
    keys = _Keys()
    found: Snapshot = {}
    chosen = compared_models()
    referenced = {f.related_model for m in chosen for f in compared_fields(m) if f.is_relation}
    for model in chosen:
        pairs = keys.table_rows(model)
        if model in referenced and _natural_field(model) is None:
            keys.cache.setdefault(model, dict(pairs))  # its rows are its natural keys
        rows = Counter(row for _pk, row in pairs)
        keys.rows.pop(model, None)  # the multiset is what stays
        found[model._meta.label] = Table(_columns(model), rows)
    return found


def table_counts() -> dict[str, int]:
    """Rows per compared model, counted by the database (cheap)."""
    return {m._meta.label: m._base_manager.count() for m in compared_models()}


def counts(shot: Snapshot) -> dict[str, int]:
    return {label: table.count() for label, table in shot.items()}


def diff(before: Snapshot, after: Snapshot, examples: int = EXAMPLES) -> dict[str, Any]:
    """Per model with a difference: counts and a few rows only before / only after."""
    found: dict[str, Any] = {}
    for label in sorted(set(before) | set(after)):
        old = before.get(label) or Table([], Counter())
        new = after.get(label) or Table(old.columns, Counter())
        only_before = old.rows - new.rows
        only_after = new.rows - old.rows
        if not only_before and not only_after:
            continue
        found[label] = {
            "before": old.count(),
            "after": new.count(),
            "only_before": sum(only_before.values()),
            "only_after": sum(only_after.values()),
            "examples_before": [old.as_dict(r) for r in list(only_before)[:examples]],
            "examples_after": [new.as_dict(r) for r in list(only_after)[:examples]],
        }
    return found


# --- findings ---------------------------------------------------------------------------


def findings(as_of: dt.date, period: str = "") -> Counter[tuple[Any, ...]]:
    """The compliance findings of the whole tree, by rule, org code, member code, period
    and severity (no ids; nothing stored)."""
    from xianfeng.compliance.engine import evaluate
    from xianfeng.lib.dates import parse_period
    from xianfeng.members.models import Member
    from xianfeng.orgs.models import Org

    roots = list(Org.objects.filter(depth=1).order_by("path"))
    if not roots:
        return Counter()
    chosen = parse_period(period or str(as_of.year - 1))
    pairs, _orgs = evaluate(roots=roots, period=chosen, as_of=as_of)
    orgs = dict(Org.objects.values_list("pk", "code"))
    members = dict(Member.objects.values_list("pk", "code"))
    return Counter(
        (
            rule.id if rule else "",
            orgs.get(f.org_id),
            members.get(f.member_id) if f.member_id else "",
            f.period,
            f.severity,
        )
        for rule, f in pairs
    )


def findings_diff(before: Counter[Any], after: Counter[Any]) -> dict[str, Any]:
    only_before, only_after = before - after, after - before
    by_rule = Counter(k[0] for k in only_before.elements())
    by_rule_after = Counter(k[0] for k in only_after.elements())
    return {
        "before": sum(before.values()),
        "after": sum(after.values()),
        "only_before": sum(only_before.values()),
        "only_after": sum(only_after.values()),
        "only_before_by_rule": dict(by_rule),
        "only_after_by_rule": dict(by_rule_after),
        "examples_before": [list(k) for k in list(only_before)[:EXAMPLES]],
        "examples_after": [list(k) for k in list(only_after)[:EXAMPLES]],
    }


# --- export, wipe, import ---------------------------------------------------------------


def export_all(directory: Path, user: Any = None) -> dict[str, int]:
    """Every kind of core.exports.exports(), unmasked, to directory/NN-kind.xlsx (NN is
    the import order); the rows each file holds, by file name."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for number, kind in enumerate(exports(), start=1):
        target = directory / f"{number:02d}-{kind}.xlsx"
        written[target.name] = export(kind=kind, target=target, user=user, unmasked=True).rows
    return written


def _wiped_models() -> list[type[models.Model]]:
    """The project's models (history and bookkeeping included: an empty database is one
    right after `migrate`), their many-to-many tables, and any other app's model that
    points at them; children first."""
    chosen = {m for m in apps.get_models(include_auto_created=True) if _ours(m)}
    grown = True
    while grown:
        extra = {
            m
            for m in apps.get_models(include_auto_created=True)
            if m not in chosen and any(_points_at(m, c) for c in chosen)
        }
        chosen |= extra
        grown = bool(extra)
    return _children_first(chosen)


def _ours(model: type[models.Model]) -> bool:
    if model.__module__.startswith("xianfeng."):
        return True
    through_of = [
        f.model
        for m in apps.get_models()
        for f in m._meta.many_to_many
        if f.remote_field.through is model
    ]
    return any(m.__module__.startswith("xianfeng.") for m in through_of)


def _points_at(model: type[models.Model], target: type[models.Model]) -> bool:
    return any(
        f.is_relation and f.related_model is target and f.concrete
        for f in model._meta.get_fields()
        if getattr(f, "db_constraint", False)
    )


def _children_first(chosen: set[type[models.Model]]) -> list[type[models.Model]]:
    ordered: list[type[models.Model]] = []
    remaining = set(chosen)
    while remaining:
        leaves = {
            m
            for m in remaining
            if not any(_points_at(other, m) for other in remaining if other is not m)
        }
        if not leaves:  # a cycle: constraints are deferred inside the transaction
            leaves = remaining
        ordered += sorted(leaves, key=lambda m: m._meta.label)
        remaining -= leaves
    return ordered


@transaction.atomic
def wipe() -> None:
    """Delete all recorded data, history and bookkeeping, children first (plain DELETEs),
    keeping what migrations seed: the shipped policies (detached, as shipped) and the
    confirmed calendar years (confirmed, no note)."""
    from xianfeng.compliance.domain import CONFIRMED_YEARS
    from xianfeng.compliance.models import CalendarYear, Policy
    from xianfeng.compliance.policy import parse_policy, shipped_files

    shipped = {parse_policy(path.read_text(encoding="utf-8")).code for path in shipped_files()}
    Policy.objects.filter(code__in=shipped).update(org=None, follows=None)
    kept = {
        Policy: Policy._base_manager.filter(code__in=shipped),
        CalendarYear: CalendarYear._base_manager.filter(year__in=CONFIRMED_YEARS),
    }
    CalendarYear._base_manager.filter(year__in=CONFIRMED_YEARS).update(confirmed=True, note="")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in _wiped_models():
            if model in kept:  # plain DELETE too: no history row per deleted row
                rest = model._base_manager.exclude(
                    pk__in=list(kept[model].values_list("pk", flat=True))
                )
                rest._raw_delete(rest.db)  # type: ignore[attr-defined]
                continue
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")


def import_all(directory: Path) -> dict[str, Any]:
    """Import directory's workbooks in name order (by=None, the command line); per file its
    counts, or its first row errors when it was refused (the others still run). An empty
    export imports as nothing."""
    results: dict[str, Any] = {}
    for path in sorted(directory.glob("*.xlsx")):
        try:
            results[path.name] = run_import(path, filename=path.name, by=None).counts
        except ImportFailed as failed:
            results[path.name] = {
                "errors": len(failed.errors),
                "first_errors": [e.as_dict() for e in failed.errors[:EXAMPLES]],
            }
        except Exception as error:  # a crashing importer: reported, the others still run
            results[path.name] = {"errors": 1, "crash": f"{type(error).__name__}: {error}"}
    return results


def writes(results: dict[str, Any]) -> int:
    """Rows an import created or updated (refused files count as their errors)."""
    total = 0
    for result in results.values():
        if "errors" in result:
            total += result["errors"]
            continue
        total += sum(c.get("created", 0) + c.get("updated", 0) for c in result.values())
    return total


def round_trip(
    directory: Path,
    *,
    as_of: dt.date | None = None,
    period: str = "",
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, Any]:
    """snapshot → export → wipe → import → snapshot → diff, then import again (must write
    nothing and add no history row). With `as_of`, the findings are compared too;
    `progress(phase, seconds)` is called as each phase ends."""
    seconds: dict[str, float] = {}

    def timed(phase: str, work: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = work()
        seconds[phase] = round(time.perf_counter() - start, 2)
        if progress:
            progress(phase, seconds[phase])
        return result

    before = timed("snapshot", snapshot)
    found_before = timed("findings", lambda: findings(as_of, period)) if as_of else None
    exported = timed("export", lambda: export_all(directory))
    timed("wipe", wipe)
    imported = timed("import", lambda: import_all(directory))
    after = snapshot()
    history = history_rows()
    reimported = timed("reimport", lambda: import_all(directory))
    grown = {k: n - after[k].count() for k, n in table_counts().items() if n != after[k].count()}
    report: dict[str, Any] = {
        "rows_before": counts(before),
        "rows_after": counts(after),
        "total_before": sum(counts(before).values()),
        "exported": exported,
        "imported": imported,
        "mismatches": diff(before, after),
        "reimport_writes": writes(reimported),
        "reimported": reimported,
        "reimport_row_growth": grown,
        "history_growth": history_rows() - history,
        "seconds": seconds,
    }
    report["rows_equal"] = sum(
        sum((t.rows & after[k].rows).values()) for k, t in before.items() if k in after
    )
    if found_before is not None:
        found_after = timed("findings_after", lambda: findings(as_of, period))  # type: ignore[arg-type]
        report["findings"] = findings_diff(found_before, found_after)
    return report
