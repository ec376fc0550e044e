"""Naming orgs by their full name path ("示范市委/东县县委/青山镇党委"), as import sheets do.

Pure functions over orgs already loaded: a sheet loads the orgs once, builds the index with
`orgs_by_name_path(orgs, full_name_paths(...))` and looks every cell up with
`name_path_key(cell)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from xianfeng.lib.cells import text_key

from .models import Org

PATH_SEPARATORS = re.compile(r"\s*[/／>＞\\]\s*")


def name_path_key(text: str) -> str:
    """The look-up key of a name path as a user types it: "/", "／", ">" or "\\" between
    the names, spaces and width of each name ignored (`text_key`)."""
    return "/".join(text_key(part) for part in PATH_SEPARATORS.split(text.strip()) if part)


def full_name_paths(by_path: dict[str, Org]) -> dict[str, str]:
    """Every org's full name path ("示范市委/东县县委/青山镇党委") by code; `by_path` holds
    the orgs by their materialized path (an org whose parent is absent starts its own path)."""
    names: dict[str, str] = {}
    for path in sorted(by_path, key=len):
        org = by_path[path]
        parent = by_path.get(path[: -Org.steplen])
        names[org.code] = (names[parent.code] + "/" if parent else "") + org.name
    return names


def orgs_by_name_path(orgs: Iterable[Org], full_name: dict[str, str]) -> dict[str, Org]:
    """Orgs by the key of their full name path, and by their bare name when that is unique
    among `orgs`; `full_name` is `full_name_paths` of the same orgs."""
    orgs = list(orgs)
    result: dict[str, Org] = {}
    counts: dict[str, int] = {}
    for org in orgs:
        result[name_path_key(full_name[org.code])] = org
        counts[text_key(org.name)] = counts.get(text_key(org.name), 0) + 1
    for org in orgs:
        if counts[text_key(org.name)] == 1:
            result.setdefault(text_key(org.name), org)
    return result
