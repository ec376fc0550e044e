"""The import sheets of dues (PLAT-03), listed in settings.IMPORTERS: kinds before
declarations (a base is declared for a kind that has one), declarations before payments
(what a month owes), and the ledger last (it checks what the payments add up to)."""

from __future__ import annotations

from .importers import DeclarationImporter, KindImporter, PaymentImporter
from .importers_ledger import LedgerImporter

IMPORTERS = (KindImporter, DeclarationImporter, PaymentImporter, LedgerImporter)
