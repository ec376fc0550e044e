"""Reads of the recruitment app reused by pages, the API, reminders and the PDF: a
person's record (`pipeline`), counts (`counts`), cultivations, targets, talent pool."""
