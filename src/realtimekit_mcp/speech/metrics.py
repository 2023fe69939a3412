"""Word error rate for tests and benchmarks (Levenshtein distance over normalised words)."""

from __future__ import annotations

import re

__all__ = ["normalise_words", "word_error_rate"]

_NON_WORD = re.compile(r"[^a-z0-9' ]+")


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
    "nine": "ninth", "twelve": "twelfth",
}  # fmt: skip
_NUMBER = re.compile(r"(\d[\d,]*)(st|nd|rd|th)?(%?)")


def _spell(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + _spell(rest))
    if n < 1_000_000:
        rest = n % 1000
        return _spell(n // 1000) + " thousand" + ("" if rest == 0 else " " + _spell(rest))
    return str(n)


def _spell_match(match: re.Match[str]) -> str:
    digits, ordinal, percent = match.group(1).replace(",", ""), match.group(2), match.group(3)
    words = _spell(int(digits)).split()
    if ordinal:
        last = words[-1]
        words[-1] = _ORDINALS.get(last, last[:-1] + "ieth" if last.endswith("y") else last + "th")
    return " " + " ".join(words) + (" percent" if percent else "") + " "


def normalise_words(text: str) -> list[str]:
    """Lower-case words without punctuation; hyphens split words; numbers, ordinals and % spelled out.

    Whisper writes "12%" and "1st" where a script says "twelve percent" and "first"; both count as
    the same words (as evaluation normalisers do).
    """
    spelled = _NUMBER.sub(_spell_match, text.lower())
    words = _NON_WORD.sub(" ", spelled.replace("-", " ")).split()
    return [w.strip("'") for w in words if w.strip("'")]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words in ``reference`` (0.0 for two empty texts)."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1] / len(ref)
