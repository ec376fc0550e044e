"""The questions core asks the apps above it (core imports no domain app).

Core's pages, exports and navigation need a few answers only the registry layer has: the
user's scope, an org by code, the right to import or to see full ID numbers. Each is a
public function of that app, named in settings.CORE_HOOKS, and reached through `hook`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

# name → what the function answers (its dotted path is in settings.CORE_HOOKS)
HOOKS = {
    "scope_roots": "user → the topmost orgs of the user's scope (the home page)",
    "find_org": "(user, code) → the org in the user's scope (None: any org), else Http404",
    "export_orgs": "(user, org) → the orgs an export holds (user None: every org)",
    "has_any_post": "user → whether the user holds an active post (navigation)",
    "may_import": "user → whether the user may import data somewhere",
    "may_unmask": "user → whether the user may see full ID numbers",
    "check_id_keys": "() → raises ValidationError when the ID keys do not fit the database",
    "dues_paid_until": "member id → the month up to which their dues are paid, or None",
}


@cache
def hook(name: str) -> Callable[..., Any]:
    """The function settings.CORE_HOOKS names for `name` (one of HOOKS)."""
    return import_string(settings.CORE_HOOKS[name])
