"""Benchmarks: how the hotline holds up under load, measured against real servers on this machine.

Run one with ``make bench-<name>`` (``python -m bench.<name>``); results go to bench/results/,
the figures we stand behind to docs/ and the issue notes.
"""
