"""The operators' console (/console) and the Prometheus endpoint (/metrics): aggregate counts
of calls, SMS and reminders, and the content's review status. Never a number or a caller."""
