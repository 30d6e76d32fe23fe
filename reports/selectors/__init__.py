"""Scoped reads across the domains, one module per topic."""
