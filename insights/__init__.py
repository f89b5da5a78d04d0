"""Aggregate counts of what the hotline does, for the operators' console and for Prometheus.

The channels record events here (``Tally``); this package imports nothing but the core
(``hotline``), so any layer may record and none is imported back.
"""
