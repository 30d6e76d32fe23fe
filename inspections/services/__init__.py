"""Writes of the inspections domain, one module per topic (callers import from them)."""
