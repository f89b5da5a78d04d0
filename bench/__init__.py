"""Benchmarks, run on demand (`make bench-*`); figures go to docs/ and the issue notes."""
