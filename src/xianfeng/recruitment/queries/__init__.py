"""Reads of recruitment reused by pages, API and rules, one module per area."""
