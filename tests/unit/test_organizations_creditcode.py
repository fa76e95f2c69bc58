"""The unified social credit code (GB 32100-2015): its check character, as a pure function."""
import pytest

from eventsapp.organizations.creditcode import (
    CHARSET,
    WEIGHTS,
    CreditCodeProblem,
    check_character,
    credit_code_problem,
    is_valid_credit_code,
    normalize_credit_code,
)

# Codes published by well-known companies and the standard's own example; their check characters
# were computed independently and agree with the published ones.
VALID = [
    "91350100M000100Y43",  # the example in GB 32100-2015
    "91330100799655058B",
    "9144030071526726XG",
    "91110000802100433B",
]


def test_the_weights_are_powers_of_three_modulo_31():
    assert WEIGHTS == tuple(3 ** i % 31 for i in range(17))
    assert len(CHARSET) == 31 and not set("IOZSV") & set(CHARSET)


@pytest.mark.parametrize("code", VALID)
def test_published_codes_are_valid(code):
    assert credit_code_problem(code) is None
    assert is_valid_credit_code(code)


def test_the_check_character_covers_the_two_special_cases():
    # 31 - (sum mod 31) is 31 when the sum is a multiple of 31: the check character is then "0".
    assert check_character("0" * 17) == "0"
    # A remainder of 1 gives 30, the last character of the alphabet: "Y".
    first_17 = "10000000000000000"  # 1 × weight 1 = 1
    assert check_character(first_17) == "Y"
    # A remainder of 21 gives 10: the first letter, "A" ("M" is worth 21, at weight 1).
    assert CHARSET.index("M") == 21 and check_character("M0000000000000000") == "A"
    # Weights count: "1" in the second place is worth 3, so 31 - 3 = 28, which is "W".
    assert check_character("01000000000000000") == "W"


def test_codes_computed_here_validate():
    for first_17 in ("91330106MA2CFTPD0", "12330000470051726", "52330100MJ8812345"):
        assert is_valid_credit_code(first_17 + check_character(first_17))


@pytest.mark.parametrize("code, problem", [
    ("", CreditCodeProblem.EMPTY),
    ("91330100799655058", CreditCodeProblem.LENGTH),
    ("91330100799655058BB", CreditCodeProblem.LENGTH),
    ("91330100799655058C", CreditCodeProblem.CHECK_CHARACTER),  # wrong check character
    ("91330100799655085B", CreditCodeProblem.CHECK_CHARACTER),  # two digits swapped
    ("9133010079965505IB", CreditCodeProblem.CHARACTERS),  # I is not used (looks like 1)
    ("9133010079965505OB", CreditCodeProblem.CHARACTERS),  # O (looks like 0)
    ("9133010079965505ZB", CreditCodeProblem.CHARACTERS),
    ("9133010079965505SB", CreditCodeProblem.CHARACTERS),
    ("9133010079965505VB", CreditCodeProblem.CHARACTERS),
    ("91330100-99655058B", CreditCodeProblem.CHARACTERS),
    ("9133010079965505bB", CreditCodeProblem.CHARACTERS),  # not normalized: lower case
])
def test_invalid_codes_say_what_is_wrong(code, problem):
    assert credit_code_problem(code) == problem


def test_input_is_upper_cased_and_spaces_removed():
    assert normalize_credit_code(" 9133 0100 7996 5505 8b ") == "91330100799655058B"
    assert normalize_credit_code("９１３３０１００７９９６５５０５８Ｂ") == "91330100799655058B"  # full-width
    assert normalize_credit_code(None) == ""
    assert is_valid_credit_code("91330100 799655058b")
