"""The trigger ballot's rule, as plain functions: thresholds are fractions, in data."""

from __future__ import annotations

from fractions import Fraction

from rankfile.core.errors import Refusal


def threshold_parse(text: str, *, field: str, label: str) -> Fraction:
    """``"1/3"`` or ``"0.5"`` as a fraction above 0 and at most 1, below the line at most
    1000 (so that it is stored as written, in at most 9 characters).

    Raises:
        Refusal: not a number or a fraction, or out of range.
    """
    text = (text or "").strip()
    try:
        if len(text) > 20 or not text:
            raise ValueError
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise Refusal(f"Write the {label} as a fraction such as 1/3, or a decimal such as 0.5.",
                      code="bad_threshold", field=field) from None
    if not 0 < value <= 1:
        raise Refusal(f"The {label} must be more than 0 and at most 1 (all of them).",
                      code="threshold_out_of_range", field=field)
    if value.denominator > 1000:
        raise Refusal(f"Write the {label} more simply, as a fraction such as 1/3 (at most "
                      "1000 below the line).", code="bad_threshold", field=field)
    return value


def threshold_words(value: Fraction) -> str:
    """``Fraction(1, 3)`` as "1/3"; 1 as "all"."""
    return "all" if value == 1 else f"{value.numerator}/{value.denominator}"


def reaches(yes: int, total: int, threshold: Fraction) -> bool:
    """Whether ``yes`` of ``total`` is a share of at least ``threshold`` (never with none)."""
    return total > 0 and Fraction(yes, total) >= threshold


def is_open_selection(*, branches_yes: int, branches_total: int, affiliates_yes: int,
                      affiliates_total: int, branch_threshold: Fraction,
                      affiliate_threshold: Fraction) -> bool:
    """The trigger ballot's rule: an open selection follows if the share of branches
    saying yes reaches its threshold, or the share of affiliates reaches theirs.

    Shares are of every branch and affiliate taking part: one that did not
    decide counts as not saying yes.
    """
    return (reaches(branches_yes, branches_total, branch_threshold)
            or reaches(affiliates_yes, affiliates_total, affiliate_threshold))
