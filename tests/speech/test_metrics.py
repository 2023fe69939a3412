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
