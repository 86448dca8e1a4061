"""What a rejected applicant reads for each reason code: plain words, no internal note."""

from __future__ import annotations

from rankfile.vetting.models import ReasonCode

PLAIN_WORDS: dict[str, str] = {
    ReasonCode.OTHER_PARTY: (
        "Our rules do not allow members or candidates of other political parties to join. "
        "We found that you are, or recently were, one of them."),
    ReasonCode.ABUSE: (
        "Our rules do not allow people who have been abusive or discriminatory towards "
        "others to join. We found public conduct of yours that breaks this rule."),
    ReasonCode.IDENTITY: (
        "We could not confirm who you are from the details you gave, such as your name, "
        "date of birth or address."),
    ReasonCode.DUPLICATE: (
        "You have already joined or applied. One person holds one membership, so we kept "
        "your other one."),
    ReasonCode.NOT_ELIGIBLE: (
        "You do not meet the conditions of the category you applied for, such as its "
        "minimum age or where you live."),
    ReasonCode.UNION_UNVERIFIED: (
        "Your union could not confirm your union membership number and surname. Check them "
        "with your union."),
}


def plain_words(code: str) -> str:
    return PLAIN_WORDS.get(code, "")
