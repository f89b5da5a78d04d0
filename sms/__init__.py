"""The SMS channel: outbound sending (sender, delivery, rate cap, status callbacks)."""
