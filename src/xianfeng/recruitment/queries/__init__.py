"""Reads of the recruitment app reused by pages, the API, rules, reminders and the PDF,
one module per area: a person's record (`pipeline`), counts by stage (`counts`),
cultivations, targets, the talent pool, progress against targets (`progress`)."""
