"""RQ jobs: plain functions with JSON-serialisable arguments, run by `rq worker` (Procfile)."""
