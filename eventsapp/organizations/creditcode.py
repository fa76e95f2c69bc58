"""The unified social credit code (统一社会信用代码) of GB 32100-2015: pure functions, no Flask.

18 characters from ``CHARSET``: the registering authority and kind (2), the administrative
division (6), the organization code (9) and a check character computed over the first 17.
"""
from __future__ import annotations

import enum
import unicodedata

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V: they are read as 1, 0, 2, 5, U
LENGTH = 18
# 3**i mod 31 for positions 1 to 17.
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class CreditCodeProblem(enum.StrEnum):
    EMPTY = "empty"
    LENGTH = "length"
    CHARACTERS = "characters"
    CHECK_CHARACTER = "check_character"


def normalize_credit_code(text: str | None) -> str:
    """As typed, made comparable: full-width forms to ASCII, upper case, without spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(text.split()).upper()


def check_character(first_17: str) -> str:
    """The 18th character for the first 17 (which must already use only ``CHARSET``)."""
    if len(first_17) != LENGTH - 1:
        raise ValueError(f"expected {LENGTH - 1} characters, got {len(first_17)}")
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first_17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> CreditCodeProblem | None:
    """What is wrong with a normalized code, or None when it is valid."""
    if not code:
        return CreditCodeProblem.EMPTY
    if len(code) != LENGTH:
        return CreditCodeProblem.LENGTH
    if any(char not in CHARSET for char in code):
        return CreditCodeProblem.CHARACTERS
    if check_character(code[:-1]) != code[-1]:
        return CreditCodeProblem.CHECK_CHARACTER
    return None


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(normalize_credit_code(code)) is None
