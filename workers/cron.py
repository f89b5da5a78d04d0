"""`rq cron` configuration (Procfile `clock`): run exactly one such process."""

from rq import cron

from workers.reminders import send_due_reminders

cron.register(send_due_reminders, "hotline", interval=60)
