"""Finding evidence in Chinese for people (issue 14): one table of evidence keys → (label,
formatter). Findings pages, notices and the findings export show these; the API and
`xianfeng check --format json` keep the raw keys.

The keys every rule may emit (as_of, threshold, policy, source, year, deadline …) are
labelled here. The keys of a domain app live next to its rules: for each module of
`settings.RULE_MODULES` (`xianfeng.<app>.rules`), the sibling `xianfeng.<app>.evidence`
holds `LABELS` (key → Label), and may hold `NAMES` (reference kind → a function naming ids
in bulk, e.g. meeting ids → "2025年3月5日 党员大会") and `TERMS` (codes its values use →
Chinese, e.g. "branch" → 党支部). A new rule module brings its labels along without a
settings entry, and `tests/compliance/test_evidence.py` fails when a key has none.

    render_evidence({"full_members": 2, "threshold": 3})
    → [("正式党员数", "2 人"), ("标准", "3 人")]
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from importlib import import_module
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

Text = str | Promise
Loader = Callable[[set[Any]], dict[Any, str]]
EMPTY = "—"
LISTED = 10  # rows a reference list names; the rest are counted
LIST_SEPARATOR = "、"


# --- the names of referenced rows, read in bulk ------------------------------------------


class Names:
    """Names of the rows evidence refers to (meetings, members, seats …), by reference kind.

    `want()` notes ids; the first `of()` of a kind reads every noted id of that kind in one
    call of its loader. Rendering many findings: note them all first (`names_for`)."""

    def __init__(self, loaders: dict[str, Loader]) -> None:
        self._loaders = loaders
        self._wanted: dict[str, set[Any]] = defaultdict(set)
        self._known: dict[str, dict[Any, str]] = defaultdict(dict)

    def want(self, kind: str, ids: Iterable[Any]) -> None:
        self._wanted[kind].update(i for i in ids if i not in self._known[kind])

    def of(self, kind: str, ref: Any) -> str:
        known = self._known[kind]
        if ref not in known:
            self._load(kind, {ref})
        return known.get(ref) or gettext("（已删除）")

    def _load(self, kind: str, extra: set[Any]) -> None:
        ids = self._wanted.pop(kind, set()) | extra
        loader = self._loaders.get(kind)
        found = loader(ids) if loader is not None else {}
        self._known[kind].update({ref: found.get(ref, "") for ref in ids})


# --- formatters: (value, names) → text ---------------------------------------------------


class Formatter(Protocol):
    """Evidence value → Chinese text; `names` names the rows a reference points to."""

    def __call__(self, value: Any, names: Names | None = None, /) -> str: ...


def _terms() -> dict[str, Text]:
    return _table().terms


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _number(value: Decimal) -> str:
    """3 → "3", 0.50 → "0.5" (no exponent, no trailing zeros)."""
    text = f"{value.normalize():f}"
    return text.removesuffix(".0") if "." in text else text


def plain(value: Any, names: Names | None = None) -> str:
    """Any value: 是/否, a known code in Chinese, lists joined, "—" for nothing."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(plain(item, names) for item in value)
    if isinstance(value, dict):
        return "，".join(f"{plain(k, names)} {plain(v, names)}" for k, v in value.items())
    if isinstance(value, str):
        return str(_terms().get(value, value))
    return str(value)


def boolean(value: Any, names: Names | None = None) -> str:
    return gettext("是") if value else gettext("否")


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def date(value: Any, names: Names | None = None) -> str:
    """2025-06-30 → 2025年6月30日."""
    day = _day(value)
    if day is None:
        return plain(value)
    return gettext("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def dates(value: Any, names: Names | None = None) -> str:
    items = value if isinstance(value, list) else [value]
    return LIST_SEPARATOR.join(date(item) for item in items) or EMPTY


def date_range(value: Any, names: Names | None = None) -> str:
    """{"from": a, "to": b} or [a, b] → a至b."""
    first, last = (value.get("from"), value.get("to")) if isinstance(value, dict) else value
    return gettext("%(first)s至%(last)s") % {"first": date(first), "last": date(last)}


_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|\d{2}))?$")
HALVES = {"H1": _("上半年"), "H2": _("下半年")}
QUARTERS = {"Q1": _("第一季度"), "Q2": _("第二季度"), "Q3": _("第三季度"), "Q4": _("第四季度")}


def period(value: Any, names: Names | None = None) -> str:
    """2025 → 2025年, 2025-H1 → 2025年上半年, 2025-Q3 → 2025年第三季度, 2025-06 → 2025年6月."""
    match = _PERIOD.match(str(value))
    if match is None:
        return plain(value)
    year, part = match[1], match[2]
    if part is None:
        rest = ""
    elif part in HALVES:
        rest = str(HALVES[part])
    elif part in QUARTERS:
        rest = str(QUARTERS[part])
    else:
        rest = gettext("%(m)d月") % {"m": int(part)}
    return gettext("%(year)s年") % {"year": year} + rest


def periods(value: Any, names: Names | None = None) -> str:
    items = value if isinstance(value, list) else [value]
    return LIST_SEPARATOR.join(period(item) for item in items) or EMPTY


def hours(value: Any, names: Names | None = None) -> str:
    """Decimal hours to one place: "6" → 6.0 学时."""
    amount = _decimal(value)
    if amount is None:
        return plain(value)
    return gettext("%(hours)s 学时") % {"hours": f"{amount.quantize(Decimal('0.1'))}"}


def money(value: Any, names: Names | None = None) -> str:
    """Decimal yuan: "12.5" → ¥12.50."""
    amount = _decimal(value)
    if amount is None:
        return plain(value)
    return f"¥{amount.quantize(Decimal('0.01')):,}"


def percent(value: Any, names: Names | None = None) -> str:
    """A share: 0.0125 → 1.25%."""
    share = _decimal(value)
    if share is None:
        return plain(value)
    return f"{_number((share * 100).quantize(Decimal('0.01')))}%"


def count(unit: Text) -> Formatter:
    """A number with its unit: 3 → "3 人"; a list counts its items; a {"count",
    "threshold"} pair → "0 次（应不少于 1 次）"."""

    def fmt(value: Any, names: Names | None = None) -> str:
        if isinstance(value, dict) and "count" in value:
            need = fmt(value.get("threshold"))
            return gettext("%(n)s（应不少于 %(need)s）") % {"n": fmt(value["count"]), "need": need}
        if isinstance(value, list):
            value = len(value)
        amount = _decimal(value)
        if amount is None:
            return plain(value)
        return f"{_number(amount)} {unit}"

    return fmt


def by_kind(each: Formatter) -> Formatter:
    """A dict of amounts by kind, each kind in Chinese: {"training": "6.0"} → 培训班 6.0 学时."""

    def fmt(value: Any, names: Names | None = None) -> str:
        if not isinstance(value, dict) or not value:
            return plain(value)
        return LIST_SEPARATOR.join(f"{plain(kind)} {each(n, names)}" for kind, n in value.items())

    return fmt


@dataclass(frozen=True)
class Ref:
    """References to rows of one kind: an id, a list of ids, a list of id pairs (named
    "A与B"), or dicts naming the row under `key` (e.g. {"meeting": 5, "held_on": …}),
    which `detail` may describe further. Long lists name the first LISTED."""

    kind: str
    key: str = ""
    detail: Callable[[dict[str, Any]], str] | None = None

    def ids(self, value: Any) -> Iterator[Any]:
        for item in _items(value)[:LISTED]:
            if isinstance(item, dict):
                item = item.get(self.key)
            if isinstance(item, list):
                yield from item
            elif item is not None and item != "":
                yield item

    def __call__(self, value: Any, names: Names | None = None) -> str:
        names = names or names_for([])
        if value is None or value == "":
            return EMPTY
        items = _items(value)
        if not items:
            return gettext("无")
        text = LIST_SEPARATOR.join(self._one(item, names) for item in items[:LISTED])
        if len(items) > LISTED:
            text += gettext("等%(n)d项") % {"n": len(items)}
        return text

    def _one(self, item: Any, names: Names) -> str:
        if isinstance(item, dict):
            text = names.of(self.kind, item.get(self.key))
            return text + self.detail(item) if self.detail else text
        if isinstance(item, list):
            return gettext("与").join(names.of(self.kind, ref) for ref in item)
        return names.of(self.kind, item)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """An evidence key's Chinese label and formatter.

    `threshold`: how the evidence's `threshold` is shown when this key is present (the
    key is the measured value the threshold bounds, e.g. full_members → "3 人"); where
    several present keys give one, the highest `rank` wins. `until`: a key whose value
    ends the range this key starts (from/to): both are shown as one row."""

    text: Text
    format: Formatter = plain
    threshold: Formatter | None = None
    rank: int = 0
    until: str = ""


def _policy_titles(codes: set[Any]) -> dict[Any, str]:
    from .models import Policy

    titles = dict(Policy.objects.filter(code__in=codes).values_list("code", "title"))
    return {
        code: titles.get(code) or (gettext("全国默认") if code == "national" else code)
        for code in codes
    }


# The keys any rule may emit: LEADING shown before the app's keys, COMMON after them.
LEADING: dict[str, Label] = {"year": Label(_("年度"), period)}
COMMON: dict[str, Label] = {
    "deadline": Label(_("期限"), date),
    "as_of": Label(_("截至"), date),
    "threshold": Label(_("标准")),
    "policy": Label(_("政策"), Ref("policy")),
    "source": Label(_("出处")),
    "unconfirmed_years": Label(_("未核对节假日安排的年份"), periods),
}
NAMES: dict[str, Loader] = {"policy": _policy_titles}


@dataclass
class Table:
    """The labels (in display order: the apps' keys, then the common ones), the loaders
    naming referenced rows, and the codes in Chinese."""

    labels: dict[str, Label] = field(default_factory=dict)
    names: dict[str, Loader] = field(default_factory=dict)
    terms: dict[str, Text] = field(default_factory=dict)

    def add(self, origin: str, labels: dict[str, Label], names: dict[str, Loader]) -> None:
        _merge(f"{origin}.LABELS", self.labels, labels)
        _merge(f"{origin}.NAMES", self.names, names)

    @cached_property
    def order(self) -> dict[str, int]:
        return {key: n for n, key in enumerate(self.labels)}


def _merge(origin: str, ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """Add `theirs` to `ours`; a key two apps define differently is a configuration error."""
    twice = [key for key in theirs if key in ours and ours[key] is not theirs[key]]
    if twice:
        raise ImproperlyConfigured(f"{origin} repeats {sorted(twice)}")
    ours.update(theirs)


def evidence_modules() -> list[str]:
    """The `evidence` modules of the apps whose rules are registered (`xianfeng.orgs.rules`
    → `xianfeng.orgs.evidence`; a rule package's modules name their app too)."""
    apps = (".".join(module.split(".")[:2]) for module in settings.RULE_MODULES)
    return [f"{app}.evidence" for app in dict.fromkeys(apps)]


@cache
def _table() -> Table:
    table = Table()
    table.add(__name__, LEADING, {})
    for name in evidence_modules():
        try:
            module = import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue  # an app whose rules emit only the common keys
        table.add(name, getattr(module, "LABELS", {}), getattr(module, "NAMES", {}))
        table.terms.update(getattr(module, "TERMS", {}))
    table.add(__name__, COMMON, NAMES)
    return table


def labels() -> dict[str, Label]:
    """Every labelled evidence key, common and contributed by the apps."""
    return _table().labels


def label_of(key: str) -> str:
    """A key's Chinese label (the key itself when it has none: a test forbids that)."""
    entry = labels().get(key)
    return str(entry.text) if entry is not None else key


# --- rendering --------------------------------------------------------------------------


def names_for(evidences: Iterable[dict[str, Any]]) -> Names:
    """A Names that reads the rows all the given evidence refers to, one read per kind."""
    table = _table()
    names = Names(table.names)
    for evidence in evidences:
        for key, value in evidence.items():
            entry = table.labels.get(key)
            if entry is not None and isinstance(entry.format, Ref):
                names.want(entry.format.kind, entry.format.ids(value))
    return names


def _in_order(evidence: dict[str, Any]) -> list[str]:
    """The evidence keys in the table's order (unlabelled ones last)."""
    order = _table().order
    return sorted(evidence, key=lambda key: order.get(key, len(order)))


def _threshold_format(evidence: dict[str, Any], table: dict[str, Label]) -> Formatter:
    """The format of the key the threshold bounds: the first of the highest rank."""
    hints = [table[key] for key in _in_order(evidence) if key in table and table[key].threshold]
    if not hints:
        return plain
    best = max(hints, key=lambda entry: entry.rank)
    assert best.threshold is not None
    return best.threshold


def _text(key: str, value: Any, evidence: dict[str, Any], names: Names) -> str:
    table = labels()
    entry = table.get(key)
    if key == "threshold":
        return _threshold_format(evidence, table)(value, names)
    if entry is None:
        return plain(value, names)
    if entry.until and entry.until in evidence:
        return date_range({"from": value, "to": evidence[entry.until]})
    return entry.format(value, names)


def render_evidence(evidence: dict[str, Any], names: Names | None = None) -> list[tuple[str, str]]:
    """(label, text) rows of a finding's evidence, in the table's order (the same on every
    database: PostgreSQL's jsonb does not keep the rule's key order); a range's end key
    (from … to) joins the row of its start; keys without a value (None, "") are left out.
    Pass `names_for(all the evidence)` when rendering many findings: rows are read once."""
    names = names if names is not None else names_for([evidence])
    table = _table()
    ends = {table.labels[key].until for key in evidence if key in table.labels} - {""}
    return [
        (label_of(key), _text(key, evidence[key], evidence, names))
        for key in _in_order(evidence)
        if key not in ends and evidence[key] not in (None, "")
    ]


def evidence_sentence(evidence: dict[str, Any], names: Names | None = None) -> str:
    """The evidence on one line: "正式党员数：2 人；截至：2025年6月30日；标准：3 人"."""
    return "；".join(f"{label}：{text}" for label, text in render_evidence(evidence, names))
