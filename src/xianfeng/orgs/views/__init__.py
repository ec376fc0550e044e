"""Org pages (ORG-01, ORG-02 …): tree browser, org page, create and edit, and the pages of
an org's records: leadership (ORG-04, ORG-05), contact points (ORG-07), venues and staff
(ORG-08), budget (ORG-09).

`orgs/urls.py` names the views through this package; other apps' pages use the shared
helpers of `common` (htmx-aware rendering, redirects) and `history.history_rows`.
"""

from .budget import budget, budget_set, spending_add
from .common import (
    back_to,
    breadcrumb,
    editable_org,
    is_htmx,
    page_or_fragment,
    redirect_after_post,
)
from .contacts import contact_add, contact_end, contacts, visit_add
from .history import HISTORY_LIMIT, history_rows
from .leadership import leadership, seat_add, seat_end, term_add, term_extend
from .org_page import create, detail, edit
from .tree import SEARCH_LIMIT, children, directory_search, tree
from .venues import staff_add, staff_end, venue_add, venue_close, venue_edit, venues

__all__ = [
    "HISTORY_LIMIT",
    "SEARCH_LIMIT",
    "back_to",
    "breadcrumb",
    "budget",
    "budget_set",
    "children",
    "contact_add",
    "contact_end",
    "contacts",
    "create",
    "detail",
    "directory_search",
    "edit",
    "editable_org",
    "history_rows",
    "is_htmx",
    "leadership",
    "page_or_fragment",
    "redirect_after_post",
    "seat_add",
    "seat_end",
    "spending_add",
    "staff_add",
    "staff_end",
    "term_add",
    "term_extend",
    "tree",
    "venue_add",
    "venue_close",
    "venue_edit",
    "venues",
    "visit_add",
]
