"""Shared facts (issue 15): the large reads every rule group consumes, named and cached
once per run in the run's context.

A fact is a function `(ctx, **params) -> value` living in the app that owns its table
(`members/facts.py` placements on a day, `orglife/facts.py` the attendance, meeting counts
and seats of a period, `study/facts.py` study hours per member and source). Each facts
module lists its facts in a module-level `FACTS` dict (name → function); the modules are
named in `settings.FACT_MODULES` and loaded here by name, so compliance imports no app and
an app below compliance (members) registers without importing it. A rule asks
`ctx.fact(name, **params)`: the first ask in a run computes the value, every later ask
with the same name and params gets the same object. Each fact's docstring says what it
holds and its shape; params are plain hashable values (dates, strings, numbers).

Facts read the evaluated subtree through `ctx.path_q` and, for a small scope, by its
org or member ids, as the rules did, so that a one-branch re-evaluation stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings

FactFn = Callable[..., Any]  # (ctx, **params) -> value

FACTS: dict[str, FactFn] = {}


def load_facts() -> dict[str, FactFn]:
    """Every fact of settings.FACT_MODULES by name (each module's `FACTS`; a name given
    twice is a programming error)."""
    if not FACTS:
        for path in settings.FACT_MODULES:
            for name, fn in import_module(path).FACTS.items():
                if name in FACTS and FACTS[name] is not fn:
                    raise LookupError(f"fact {name!r} is provided twice ({path})")
                FACTS[name] = fn
    return FACTS


def provider(name: str) -> FactFn:
    """The function computing fact `name` (LookupError naming the modules if none)."""
    facts = load_facts()
    if name not in facts:
        raise LookupError(f"no fact named {name!r} in settings.FACT_MODULES")
    return facts[name]


def fact_key(name: str, params: dict[str, Any]) -> tuple[Any, ...]:
    """The cache key of fact `name` with `params` (order of the keywords does not matter)."""
    return ("fact", name, tuple(sorted(params.items())))
