"""The demo county's data, one NamedTuple a row (shapes), loaded by seed_trace_demo."""
