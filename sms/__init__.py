"""The SMS line: keywords (keywords), the conversation (conversation), segment counting
(segments), the webhooks (views)."""
