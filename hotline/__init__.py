"""The core every channel shares: settings, Redis keys, caller identity, Twilio request checks."""
