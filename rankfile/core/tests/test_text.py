"""Names refuse the characters that reorder text invisibly (a right-to-left override
shows "evil" as "live" in a staff list), and keep every other letter of every script;
text from strangers' software is made one plain line."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rankfile.core.errors import Refusal
from rankfile.core.text import BIDI_CONTROLS, bidi_control_in, clean_name, one_line

bidi = st.sampled_from(sorted(BIDI_CONTROLS))
# Letters, marks, digits, punctuation and spaces of any script, no control or format character.
readable = st.text(st.characters(categories=["L", "M", "N", "P", "Zs"]), max_size=40)


def test_the_controls_are_exactly_the_bidirectional_ones():
    expected = {*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C}

    assert expected == {ord(c) for c in BIDI_CONTROLS}


@given(before=readable, control=bidi, after=readable)
def test_a_name_with_a_bidi_control_anywhere_is_refused_naming_it(before, control, after):
    with pytest.raises(Refusal) as e:
        clean_name(f"Ann{before}{control}{after}", field="first_name", label="first name",
                   max_length=200)

    assert ("bidi_control", "first_name") == (e.value.code, e.value.field)
    assert f"U+{ord(control):04X}" in e.value.message
    assert "first name" in e.value.message


@given(name=readable.filter(lambda n: n.strip()))
def test_a_name_in_any_script_without_controls_is_kept(name):
    assert clean_name(name, field="first_name", label="first name", max_length=200)
    assert bidi_control_in(name) is None


def test_arabic_and_hebrew_names_are_welcome():
    assert "عائشة" == clean_name("عائشة", field="f", label="name", max_length=50)
    assert "שרה לוי" == clean_name("שרה  לוי", field="f", label="name", max_length=50)


@given(text=st.text(max_size=200), max_length=st.integers(min_value=1, max_value=80))
def test_one_line_holds_no_line_break_control_or_bidi_character(text, max_length):
    line = one_line(text, max_length=max_length)

    assert len(line) <= max_length
    assert line == line.strip()
    assert bidi_control_in(line) is None
    assert not any(unicodedata.category(c) in ("Cc", "Cs", "Co") for c in line)
    assert not any(c in line for c in "\u2028\u2029")


def test_one_line_keeps_the_words_and_marks_a_cut():
    raw = "550 5.1.1 <ann@example.org>:\r\n\tUser\0 unknown \u202e\x1b[31mnoisy\ud800"

    assert "550 5.1.1 <ann@example.org>: User unknown [31mnoisy\ufffd" == one_line(
        raw, max_length=100)
    assert "550 5.1.1\u2026" == one_line(raw, max_length=10)
