"""The import sheets of dues (PLAT-03), listed in settings.IMPORTERS in import order:
kinds before declarations (a base is declared for a kind that has one), declarations and
reductions before payments (what a month owes), quarterly arrangements, then the closed
months and the remittances, and the ledger last (it checks what the payments add up
to)."""

from __future__ import annotations

from .importers import DeclarationImporter, KindImporter, PaymentImporter
from .importers_ledger import LedgerImporter
from .importers_records import (
    ArrangementImporter,
    CloseImporter,
    ReductionImporter,
    RemittanceImporter,
)

IMPORTERS = (
    KindImporter,
    DeclarationImporter,
    ReductionImporter,
    ArrangementImporter,
    PaymentImporter,
    CloseImporter,
    RemittanceImporter,
    LedgerImporter,
)
