"""Who may do what with dues (DUES-01). `user` None is the command line, which may do all.

- keep: record kinds, declarations, payments, closings and propose reductions for the
  members of an org — an admin or officer of the org or of an org above it;
- approve a reduction: an admin or officer of an org strictly above the member's branch
  (the branch never approves its own proposal);
- see declared bases (personal data): the member themself, and the admins and officers
  of their org and of the orgs above — never viewers or other members.
"""

from __future__ import annotations

from typing import Any

from xianfeng.accounts.models import Role
from xianfeng.accounts.scope import role_at
from xianfeng.orgs.models import Org

WRITERS = (Role.ADMIN, Role.OFFICER)


def may_keep(user: Any, org: Any) -> bool:
    return user is None or role_at(user, org) in WRITERS


def may_approve(user: Any, branch: Any) -> bool:
    """An admin or officer of an org above `branch` (its parent's scope)."""
    if user is None:
        return True
    parent = Org.objects.get_parent(branch)
    return parent is not None and role_at(user, parent) in WRITERS


def is_member_themself(user: Any, member: Any) -> bool:
    return user is not None and getattr(user, "member_id", None) == member.pk


def may_see_bases(user: Any, member: Any) -> bool:
    """The member's declared bases and the amounts worked out from them."""
    if user is None or is_member_themself(user, member):
        return True
    return member.org_id is not None and role_at(user, member.org) in WRITERS
