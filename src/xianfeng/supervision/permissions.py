"""Who may do what with supervision items (TASK-01, TASK-02).

`by` None is the command line (the demo builder, `xianfeng import`), which may do all.
"""

from __future__ import annotations

from typing import Any

from xianfeng.accounts.models import Role
from xianfeng.accounts.scope import role_at

from .models import Item

WRITERS = (Role.ADMIN, Role.OFFICER)


def may_manage(user: Any, org: Any) -> bool:
    """Create and edit the items of `org`: an admin or officer of it or an org above."""
    return user is None or role_at(user, org) in WRITERS


def may_work_on(user: Any, item: Item) -> bool:
    """Start, submit evidence, ask for more time: the account acting for the responsible
    person, or an admin or officer of the item's org (or above)."""
    if user is None:
        return True
    if item.responsible_user_id is not None and item.responsible_user_id == user.pk:
        return True
    return may_manage(user, item.org)


def is_root_item(item: Item) -> bool:
    return item.reviewer_org_id == item.org_id


def may_review(user: Any, item: Item, *, deciding_extension: bool = False) -> bool:
    """Accept or return an item (or decide on an extension): an admin or officer of an org
    above the item's org; for the root org's own items another admin of the root. Never
    the account that submitted the item."""
    if user is None:
        return True
    if not deciding_extension and item.submitted_by_id == user.pk:
        return False
    if is_root_item(item):
        return role_at(user, item.org) == Role.ADMIN
    return role_at(user, item.reviewer_org) in WRITERS
