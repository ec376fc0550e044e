"""The one place PDFs are made (notices, records, results): Chinese typesetting with an
embedded, committed CJK font. See ``document.Document``."""

from .document import Column, Document, format_date

__all__ = ["Column", "Document", "format_date"]
