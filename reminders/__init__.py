"""ADP expiry reminders: when to text (schedule), what is kept (registrations)."""
