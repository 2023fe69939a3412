"""The word error rate used by the speech tests and bench."""

from realtimekit_mcp.speech.metrics import normalise_words, word_error_rate


def test_identical_texts_have_no_errors_whatever_the_punctuation() -> None:
    assert word_error_rate("Please start the recording, now!", "please start the recording now.") == 0.0


def test_substitutions_deletions_and_insertions_each_count_once() -> None:
    assert word_error_rate("a b c d", "a x c d") == 0.25
    assert word_error_rate("a b c d", "a c d") == 0.25
    assert word_error_rate("a b c d", "a b c d e") == 0.25
    assert word_error_rate("a b", "") == 1.0
    assert word_error_rate("", "") == 0.0


def test_digits_and_hyphens_are_normalised() -> None:
    assert normalise_words("Room 4 is well-lit.") == ["room", "four", "is", "well", "lit"]


def test_numbers_ordinals_and_percentages_match_their_spelled_out_words() -> None:
    assert word_error_rate("Sales grew by twelve percent.", "Sales grew by 12%.") == 0.0
    assert word_error_rate("on the first of June", "on the 1st of June") == 0.0
    assert word_error_rate("three hundred tickets", "300 tickets") == 0.0
    assert normalise_words("the 21st of 2,024") == [
        "the",
        "twenty",
        "first",
        "of",
        "two",
        "thousand",
        "twenty",
        "four",
    ]
    assert normalise_words("the 40th") == ["the", "fortieth"]
