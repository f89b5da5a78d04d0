"""Benchmarks: how the hotline holds up under load, measured against real servers on this machine.

Run one with ``python -m bench.<name>`` (or its Makefile target); results go to bench/results/,
the figures we stand behind to docs/benchmarks.md.
"""
