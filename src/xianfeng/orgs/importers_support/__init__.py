"""Importing the records kept about orgs (PLAT-03): leadership seats and elections (ORG-04),
leaders' contact points and their visits (ORG-07), activity venues and party-affairs staff
(ORG-08), party-activity budgets and spending (ORG-09).

Every sheet names its org by code or full name path, as the member sheet does, and a member
by member code or ID number (masked in every error). Rows are written through
`orgs.domain` as they are read (elections and contact points at the end of their sheet,
oldest first), inside the import's single transaction. A row matching a stored record
writes nothing when it changes nothing, so re-importing a file, or an export, changes
nothing. Rows may only write into orgs the importing user may edit, and name only members
the user can see.

Modules: `sheet` (the `Sheet` machinery and shared columns other apps' sheets build on),
`cells` (cell cleaners), then one module per requirement: `leadership` (ORG-04),
`contacts` (ORG-07), `venues` (ORG-08), `funds` (ORG-09). `settings.IMPORTERS` names the
importers through this package.
"""

from .cells import (
    MONEY_LIMIT,
    ROLE_ALIASES,
    VISIT_ALIASES,
    clean_area,
    clean_full_time,
    clean_long_text,
    clean_member_ref,
    clean_money,
    clean_payment,
    clean_term_years,
    clean_year,
)
from .contacts import (
    CONTACT_POINT_COLUMNS,
    VISIT_COLUMNS,
    ContactPointImporter,
    VisitImporter,
)
from .funds import BUDGET_COLUMNS, SPENDING_COLUMNS, BudgetImporter, SpendingImporter
from .leadership import SEAT_COLUMNS, TERM_COLUMNS, SeatImporter, TermImporter
from .sheet import (
    ID_ALIASES,
    MEMBER_NOTE,
    NAME_NOTE,
    ORG_ALIASES,
    ORG_NOTE,
    ChronologicalSheet,
    Sheet,
    SheetImporter,
    comparable,
    date_column,
    end_stored,
    member_column,
    org_column,
    unknown_member_message,
)
from .venues import (
    STAFF_COLUMNS,
    VENUE_COLUMNS,
    VENUE_FLAGS,
    VENUE_KEYS,
    StaffImporter,
    VenueImporter,
)

__all__ = [
    "BUDGET_COLUMNS",
    "CONTACT_POINT_COLUMNS",
    "ID_ALIASES",
    "MEMBER_NOTE",
    "MONEY_LIMIT",
    "NAME_NOTE",
    "ORG_ALIASES",
    "ORG_NOTE",
    "ROLE_ALIASES",
    "SEAT_COLUMNS",
    "SPENDING_COLUMNS",
    "STAFF_COLUMNS",
    "TERM_COLUMNS",
    "VENUE_COLUMNS",
    "VENUE_FLAGS",
    "VENUE_KEYS",
    "VISIT_ALIASES",
    "VISIT_COLUMNS",
    "BudgetImporter",
    "ChronologicalSheet",
    "ContactPointImporter",
    "SeatImporter",
    "Sheet",
    "SheetImporter",
    "SpendingImporter",
    "StaffImporter",
    "TermImporter",
    "VenueImporter",
    "VisitImporter",
    "clean_area",
    "clean_full_time",
    "clean_long_text",
    "clean_member_ref",
    "clean_money",
    "clean_payment",
    "clean_term_years",
    "clean_year",
    "comparable",
    "date_column",
    "end_stored",
    "member_column",
    "org_column",
    "unknown_member_message",
]
