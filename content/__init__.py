"""Everything the hotline says or texts, as data: catalogs, languages, prefecture profiles.

Code refers to catalog keys (``voice.main.steps``); the words live in ``catalogs/<lang>.toml``,
with French as the source and the fallback. What varies by prefecture comes from
``prefectures/<id>.toml``.
"""
