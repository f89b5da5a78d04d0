"""The SMS line: the conversation (keywords, conversation, segments, views) and outbound
sending (sender, delivery, rate cap, status callbacks)."""
