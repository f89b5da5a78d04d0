"""The checks a phone take gets before review (audio.checks), on generated PCM."""

from __future__ import annotations

import pytest

from audio.checks import CLIPPED, SILENT, TOO_LONG, TOO_SHORT, check_take, max_record_seconds
from tests.volunteer import silence, tone

TEXT = "Pour le français, appuyez sur 1."  # 32 characters: about 2.7 s


@pytest.mark.parametrize(
    ("take", "flags"),
    [
        (silence(3.0), (SILENT,)),
        (tone(2.5), ()),
        (tone(0.3), (TOO_SHORT,)),
        (tone(12.0), (TOO_LONG,)),
    ],
)
def test_flags(take, flags):
    assert check_take(take, TEXT).flags == flags


def test_a_take_at_full_scale_is_clipped():
    loud = bytearray(tone(2.5))
    for i in range(44, len(loud) - 1, 40):  # every 20th sample at the ceiling
        loud[i : i + 2] = (32767).to_bytes(2, "little", signed=True)
    assert CLIPPED in check_take(bytes(loud), TEXT).flags


def test_the_longest_take_leaves_room():
    assert max_record_seconds("1") == 10
    assert max_record_seconds("x" * 120) == 32  # 10 s expected: 3 times plus 2 s
