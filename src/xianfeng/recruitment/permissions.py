"""Who may do what in the recruitment pipeline (DEV-01, DEV-02).

`user` None is the command line (the demo builder, `xianfeng import`), which may do all.
"""

from __future__ import annotations

from typing import Any

from xianfeng.accounts.models import Role
from xianfeng.accounts.scope import role_at

WRITERS = (Role.ADMIN, Role.OFFICER)


def may_manage(user: Any, org: Any) -> bool:
    """Record the steps of the people of `org`, assign mentors, register applicants: an
    admin or officer of `org` or of an org above it."""
    return user is None or role_at(user, org) in WRITERS


def may_decide(user: Any, org: Any) -> bool:
    """Record a committee step (filing, agreement, pre-review, approval, conversion
    approval) decided by `org` (a 党委 above the person's org): an admin or officer of
    `org` or above. Whether `org` is of a kind that may decide is the step's own check."""
    return may_manage(user, org)
