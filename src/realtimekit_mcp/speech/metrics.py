"""Word error rate for tests and benchmarks (Levenshtein distance over normalised words)."""

from __future__ import annotations

import re

__all__ = ["normalise_words", "word_error_rate"]

_NON_WORD = re.compile(r"[^a-z0-9' ]+")
_NUMBERS = {
    "0": "zero", "1": "one", "2": "two", "3": "three", "4": "four",
    "5": "five", "6": "six", "7": "seven", "8": "eight", "9": "nine", "10": "ten",
}  # fmt: skip


def normalise_words(text: str) -> list[str]:
    """Lower-case words without punctuation; hyphens split words; single digits spelled out."""
    words = _NON_WORD.sub(" ", text.lower().replace("-", " ")).split()
    return [_NUMBERS.get(w, w.strip("'")) for w in words if w.strip("'")]


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
