"""Reads of the dues app reused by pages, the API, the rules and the exports, one module
per area: a ledger line explained and a member's year (`lines`), a branch's month (`month`),
totals per org and child org (`totals`), consecutive unpaid months (`arrears`), the objects
a request names, found in the user's scope (`access`)."""
