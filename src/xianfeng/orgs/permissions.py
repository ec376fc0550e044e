"""Who may do what with an org's leadership beyond the scope roles (PLAT-01, ORG-04)."""

from __future__ import annotations

import rules

from xianfeng.accounts.models import Post, Role


@rules.predicate
def can_approve_term_extension(user, org) -> bool:  # type: ignore[no-untyped-def]
    """Admin of an org strictly above `org`: a delay of the 换届 election needs the higher
    org's approval (《中国共产党基层组织选举工作条例》第三条); the org's own admins may not."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    paths = Post.objects.filter(user=user, is_active=True, role=Role.ADMIN).values_list(
        "org__path", flat=True
    )
    return any(org.path.startswith(path) and path != org.path for path in paths)
