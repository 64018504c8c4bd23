"""Reproducible benchmarks; results go to BENCHMARKS.md. Run from the repository root."""
