"""Reads of the trace domain, scoped to what a user may see (trace.access).

One module per topic: registry, licences, households, certification,
batches, events (trace events, sales and a batch's public story) and
catalogue.
"""
