"""RQ jobs and what workers need to run them: plain functions with JSON-serialisable arguments,
run by `rq worker`, and the clock that queues the reminder run (Procfile)."""
