"""Writes of the trace domain: every rule that changes trace rows lives here.

One module per topic: registry, licences, households, certification,
batches, events (trace events and sales) and catalogue; helpers they share
are in `common`. Services take keyword arguments, validate with
`full_clean()` (DRF never calls `Model.clean()`), and raise
django.core.exceptions.ValidationError with a message per field, which the
API turns into a 400.
"""
