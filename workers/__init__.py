"""Every RQ job of the hotline, and the clock's loop that queues the periodic ones.

Jobs are plain functions with JSON-serialisable, ID-only arguments (``workers.sms.deliver``,
``workers.reminders.send_due_reminders``). They get the parts they use from ``job_parts()``:
the worker that runs them (``wiring.worker``) built those parts once, before forking, and hands
them to each job it performs.
"""
