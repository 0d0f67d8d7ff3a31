"""A narrative's words, folded for matching, each with where it stands in the text as typed.

Rules and the model both read a narrative through words(): the word in lower case as typed
(NFC, so "đánh" typed on any keyboard is the same string), the word folded (no diacritics,
đ → d), and its start and end in the narrative exactly as it arrived, so an explanation can
point at the caller's own characters even when the text came decomposed (NFD).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple, Protocol

from hotline.i18n.text import fold

# A word: a letter or digit, then letters, digits and combining marks (decomposed text keeps
# its marks as separate code points after the letter they belong to).
_WORD = re.compile(r"[^\W_][\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff]*")
_AGE = re.compile(r"\b(\d{1,2}) ?(?:tuoi|t|years? old|yrs? old|yo|y o)\b")
# English callers say their age the short way ("I am 14", "I'm 14", "aged 9"); not a length
# of time ("I'm 5 months pregnant").
_AGE_EN = re.compile(
    r"\b(?:i am|i m|im|aged) (\d{1,2})\b(?! (?:months?|weeks?|days?|hours?|minutes?|km|times?))"
)
# Longer narratives are read up to here: a statement is never this long, and the cost of
# matching must stay bounded whatever is pasted into the form.
MAX_CHARS = 5_000


class Word(NamedTuple):
    typed: str  # lower case, NFC
    folded: str  # lower case, no diacritics
    start: int  # offsets into the narrative as given
    end: int


class PersonLike(Protocol):
    @property
    def age(self) -> int | None: ...

    @property
    def sex(self) -> str | None: ...


@lru_cache(maxsize=50_000)
def _forms(raw: str) -> tuple[str, str]:
    """A word as typed (lower case, NFC) and folded. Remembered: a language has few distinct
    words, and folding one costs more than the rest of its matching."""
    typed = unicodedata.normalize("NFC", raw.lower())
    return typed, fold(typed)


def words(text: str) -> list[Word]:
    out = []
    for match in _WORD.finditer(text, 0, MAX_CHARS):
        typed, folded = _forms(match.group())
        if folded:
            out.append(Word(typed, folded, match.start(), match.end()))
    return out


def folded_words(text: str) -> list[str]:
    return [w.folded for w in words(text)]


def ages_of(
    people: Sequence[PersonLike], found: Iterable[Word], *, from_text: bool = True
) -> list[int]:
    """The ages given for the people; with none given, the ages written in the narrative
    ("12 tuổi", "12t", "12 years old", "I'm 12") when from_text."""
    ages = [p.age for p in people if p.age is not None]
    if ages or not from_text:
        return ages
    text = " ".join(w.folded for w in found)
    return [int(m.group(1)) for pattern in (_AGE, _AGE_EN) for m in pattern.finditer(text)]
