"""How many SMS segments a text costs, as carriers count them.

A text made only of GSM-7 characters fits 160 per message (153 per part when split); any other
character (ê, ç, ’, « », every non-Latin script, emoji) makes the whole message UCS-2: 70 UTF-16
units (67 per part). Characters of the GSM-7 extension table (€, [, ], {, }, ~, ^, |, \\) take two.
"""

from __future__ import annotations

import math

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

#: The most segments any one message the hotline sends may cost.
MAX_SEGMENTS = 4


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def segments(text: str) -> int:
    if not text:
        return 1
    if is_gsm7(text):
        septets = len(text) + sum(c in GSM7_EXTENDED for c in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)
