"""Helpers for aktflow's own test suite and benchmarks (not used by the product at run time)."""
