"""The browser simulator (development mode only): a phone and an SMS thread that drive the real
webhooks with signed requests, the local outbox, and a clock that makes reminders come due."""
