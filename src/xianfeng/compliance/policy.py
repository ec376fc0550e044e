"""Policy files (PLAT-04): parse and validate TOML, and resolve parameters per org.

A policy file sets dotted keys (`org.setup.branch_max_full`) to
`{ value = …, unit = "…", source = "…", note = "…", effective_from = 2020-01-01,
effective_to = 2024-12-31 }`. Only keys of `parameters.PARAMETERS` are allowed. For an org,
a key's value comes from the nearest ancestor-or-self policy that sets it and is in effect
on the evaluation date; the national policy is the last resort.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .parameters import PARAMETERS

SHIPPED = Path(__file__).parent / "policies"
META_KEYS = {"value", "unit", "source", "note", "effective_from", "effective_to"}


class PolicyError(ValueError):
    """A policy file that cannot be accepted: names the policy, the key and the reason."""

    def __init__(self, policy: str, key: str, reason: str):
        super().__init__(
            f"政策“{policy}”的参数 {key}：{reason}" if key else f"政策“{policy}”：{reason}"
        )
        self.policy, self.key, self.reason = policy, key, reason


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and "value" not in value:
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


def _entry(policy: str, key: str, raw: Any) -> dict[str, Any]:
    if key not in PARAMETERS:
        raise PolicyError(policy, key, "未知的参数")
    if not isinstance(raw, dict):
        raw = {"value": raw}
    extra = set(raw) - META_KEYS
    if extra:
        raise PolicyError(policy, key, f"未知的字段 {', '.join(sorted(extra))}")
    if "value" not in raw:
        raise PolicyError(policy, key, "缺少 value")
    reason = PARAMETERS[key].check(raw["value"])
    if reason:
        raise PolicyError(policy, key, reason)
    if not raw.get("source"):
        raise PolicyError(policy, key, "必须注明出处（source）")
    entry = {
        "value": raw["value"],
        "unit": raw.get("unit", PARAMETERS[key].unit),
        "source": raw["source"],
        "note": raw.get("note", ""),
    }
    for bound in ("effective_from", "effective_to"):
        if bound in raw:
            if not isinstance(raw[bound], dt.date):
                raise PolicyError(policy, key, f"{bound} 应为日期，如 2020-01-01")
            entry[bound] = raw[bound].isoformat()
    return entry


@dataclass
class ParsedPolicy:
    code: str
    title: str
    source: str
    values: dict[str, dict[str, Any]]


def parse_policy(text: str, *, name: str = "") -> ParsedPolicy:
    """Parse and validate a policy file; raises PolicyError with a Chinese reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(name or "?", "", f"TOML 格式错误：{error}") from None
    meta = data.pop("policy", {})
    code = str(meta.get("code") or name)
    if not code:
        raise PolicyError(name or "?", "", "缺少 [policy] code")
    values = {key: _entry(code, key, raw) for key, raw in _flatten(data).items()}
    return ParsedPolicy(code, str(meta.get("title", code)), str(meta.get("source", "")), values)


def shipped_files() -> list[Path]:
    return sorted(SHIPPED.glob("*.toml"))


def parse_value(key: str, text: str) -> Any:
    """A `--policy-override KEY=VALUE` value (TOML syntax), validated."""
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        raise PolicyError("--policy-override", key, f"值 {text!r} 不是合法的 TOML 值") from None
    entry = _entry("--policy-override", key, {"value": value, "source": "--policy-override"})
    return {**entry, "policy": "--policy-override"}


@dataclass
class Layer:
    path: str  # "" for the national policy
    code: str
    values: dict[str, dict[str, Any]]


def _in_effect(entry: dict[str, Any], day: dt.date) -> bool:
    start, end = entry.get("effective_from"), entry.get("effective_to")
    return (not start or start <= day.isoformat()) and (not end or day.isoformat() <= end)


PREFERENCE_LAYER = "本组织设置"  # the `policy` of an entry chosen by the org itself


def within_policy(choice: Any, allowed: Any) -> bool:
    """Whether an org's own choice lies in what its policy allows: a non-empty part of a
    list (theme-day weekdays), else the policy's own value."""
    if isinstance(allowed, list):
        return isinstance(choice, list) and bool(choice) and set(choice) <= set(allowed)
    return bool(choice == allowed)


@dataclass(eq=False)
class OrgPolicy:
    """The parameters of the orgs under one set of policy layers, each key resolved once
    (PLAT-04). Orgs without choices of their own share one; an org with its own choices
    (`preferences`) has one of its own. Get it from `Resolver.at(org_path)`; the entries
    are shared: read them, never change them."""

    resolver: Resolver = field(repr=False)
    applying: tuple[int, ...]  # indexes of the layers in force here, deepest first
    choices: dict[str, Any]  # the org's own choices, {} when shared
    _entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def entry(self, key: str) -> dict[str, Any]:
        found = self._entries.get(key)
        if found is None:
            found = self._entries[key] = self.resolver.resolve(key, self.applying, self.choices)
        return found

    def value(self, key: str) -> Any:
        return self.entry(key)["value"]


@dataclass
class Resolver:
    """Parameters per org path, national defaults overridden key by key down the tree;
    where a policy leaves a choice to the org (`preferences`), the org's own choice.

    Each key is resolved once per distinct set of layers (`OrgPolicy`), so evaluating ten
    thousand orgs under a handful of policies looks each key up a handful of times."""

    layers: list[Layer]
    day: dt.date
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    preferences: dict[str, dict[str, Any]] = field(default_factory=dict)  # path → key → value
    _by_path: dict[str, OrgPolicy] = field(default_factory=dict)
    _by_layer_path: dict[str, list[int]] = field(default_factory=dict)  # path → layer indexes
    _layer_path_lengths: list[int] = field(default_factory=list)
    _by_layers: dict[tuple[tuple[int, ...], str], OrgPolicy] = field(default_factory=dict)
    _policy_entries: dict[tuple[str, tuple[int, ...]], dict[str, Any]] = field(default_factory=dict)

    def at(self, org_path: str) -> OrgPolicy:
        """The parameters of the org at `org_path` (shared with every org under the same
        layers that has no choices of its own)."""
        found = self._by_path.get(org_path)
        if found is None:
            applying = self._applying(org_path)
            choices = self.preferences.get(org_path) or {}
            share = (applying, org_path if choices else "")
            found = self._by_layers.get(share)
            if found is None:
                found = self._by_layers[share] = OrgPolicy(self, applying, choices)
            self._by_path[org_path] = found
        return found

    def _applying(self, org_path: str) -> tuple[int, ...]:
        """The indexes of the layers whose path is a prefix of `org_path`, in layer order:
        a look-up per distinct layer path length (a handful), not a test of every layer (a
        city has a policy per county and town: 0.9 s for its 28,000 orgs)."""
        by_path = self._by_layer_path
        if not by_path:
            for index, layer in enumerate(self.layers):
                by_path.setdefault(layer.path, []).append(index)
            self._layer_path_lengths = sorted({len(path) for path in by_path})
        found = [
            index
            for length in self._layer_path_lengths
            if length <= len(org_path)
            for index in by_path.get(org_path[:length], ())
        ]
        return tuple(sorted(found))

    def entry(self, key: str, org_path: str) -> dict[str, Any]:
        """The winning entry (value, source, policy) of `key` for the org at `org_path`:
        an override, else the org's own choice within its policy, else the policy's."""
        return self.at(org_path).entry(key)

    def value(self, key: str, org_path: str) -> Any:
        return self.at(org_path).entry(key)["value"]

    def policy_entry(self, key: str, org_path: str) -> dict[str, Any]:
        """The entry of `key` from the policies alone (no override, no org choice)."""
        return self._policy_entry(key, self.at(org_path).applying)

    def resolve(self, key: str, applying: tuple[int, ...], choices: dict[str, Any]) -> dict:
        """`key` under the layers `applying` for an org with `choices` (uncached: use
        `at(path).entry(key)`)."""
        if key in self.overrides:
            return self.overrides[key]
        found = self._policy_entry(key, applying)
        choice = choices.get(key)
        if choice is None or not within_policy(choice, found["value"]):
            return found
        allowed = found["policy"]
        return {**found, "value": choice, "policy": PREFERENCE_LAYER, "allowed_by": allowed}

    def _policy_entry(self, key: str, applying: tuple[int, ...]) -> dict[str, Any]:
        found = self._policy_entries.get((key, applying))
        if found is None:
            found = self._policy_entries[(key, applying)] = self._lookup(key, applying)
        return found

    def _lookup(self, key: str, applying: tuple[int, ...]) -> dict[str, Any]:
        for index in applying:  # deepest first
            layer = self.layers[index]
            entry = layer.values.get(key)
            if entry is not None and _in_effect(entry, self.day):
                return {**entry, "policy": layer.code}
        raise PolicyError("national", key, "全国默认政策中缺少该参数")


def resolver(*, day: dt.date, overrides: dict[str, Any] | None = None) -> Resolver:
    """Load every stored policy once (a handful of rows) into a resolver."""
    from django.db.models import Q

    from .models import Policy

    applied = Policy.objects.filter(Q(org__isnull=False) | Q(code="national"))
    layers = [_layer(p) for p in applied.select_related("org", "follows")]
    if not any(layer.path == "" for layer in layers):
        national = parse_policy((SHIPPED / "national.toml").read_text(encoding="utf-8"))
        layers.append(Layer("", national.code, national.values))
    layers.sort(key=lambda layer: len(layer.path), reverse=True)
    return Resolver(
        layers=layers, day=day, overrides=dict(overrides or {}), preferences=_preferences()
    )


def _layer(policy: Any) -> Layer:
    """A stored policy as a layer; one adopted by reference reads as the shipped policy
    it follows (its code and values), so findings cite the shipped file."""
    path = policy.org.path if policy.org is not None else ""
    source = policy.follows if policy.follows is not None else policy
    return Layer(path, source.code, source.values)


def _preferences() -> dict[str, dict[str, Any]]:
    """The orgs' own choices of policy keys (orgs.preferences), by org path."""
    from xianfeng.orgs.models import OrgPreference

    found: dict[str, dict[str, Any]] = {}
    rows = OrgPreference.objects.filter(key__in=PARAMETERS).values_list("org__path", "key", "value")
    for path, key, value in rows:
        found.setdefault(path, {})[key] = value
    return found
