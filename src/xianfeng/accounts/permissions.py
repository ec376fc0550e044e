"""Who may do what (PLAT-01), as django-rules predicates over (user, org)."""

from __future__ import annotations

import rules

from .models import Role
from .scope import role_at


@rules.predicate
def is_org_in_scope(user, org) -> bool:  # type: ignore[no-untyped-def]
    return role_at(user, org) is not None


@rules.predicate
def can_edit_org(user, org) -> bool:  # type: ignore[no-untyped-def]
    return role_at(user, org) in {Role.ADMIN, Role.OFFICER}


@rules.predicate
def can_admin_org(user, org) -> bool:  # type: ignore[no-untyped-def]
    return role_at(user, org) == Role.ADMIN


@rules.predicate
def can_view_identifiers(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(user.is_active and (user.is_superuser or user.can_view_identifiers))
