"""Find a call: what a search box's words match, and the folded text they are matched against.

A call's `search_text` holds its caller's and people's names, its address and narrative,
folded (lower case, no diacritics, punctuation as spaces: hotline.i18n.text), between single
spaces. A word typed in the box, folded the same way, matches the start of a word there, so
"tan canh", "Tân Cảnh" and "TÂN CẢNH" all find "Xã Tân Cảnh". A box holding a phone number
(any written form) matches the caller's number as intake normalised it; a box holding a
reference ("K7M-3PX", "k7m3px") matches that reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hotline.calls.parse import normalise_phone
from hotline.i18n.text import fold_words

# Characters a phone number may be written with: "+84 90 123 4567", "(090) 123.4567".
_PHONE = re.compile(r"^[+(\d][\d\s().-]*$")
_REFERENCE = re.compile(r"^[A-Z0-9]{3}-?[A-Z0-9]{3}$")
MAX_WORDS = 8
MAX_QUERY = 200  # characters in the search box


def search_text(
    caller_name: str | None,
    address: str | None,
    narrative: str | None,
    people: Iterable[str | None] = (),
) -> str:
    """The folded text a call's words are matched against (stored in Call.search_text)."""
    parts = [caller_name, *people, address, narrative]
    folded = fold_words(" ".join(p for p in parts if p))
    return f" {folded} " if folded else ""


@dataclass(frozen=True)
class Query:
    """What a search box holds, read once: its words, and the phone or reference it may be."""

    words: tuple[str, ...] = ()
    phone: str | None = None  # E.164, when the box holds a phone number
    references: tuple[str, ...] = ()  # the reference as typed and in its usual form

    @property
    def empty(self) -> bool:
        return not (self.words or self.phone or self.references)


def read_query(text: str | None) -> Query:
    """Read the search box: a phone number, a reference, and words (at most MAX_WORDS)."""
    text = (text or "").strip()
    if not text:
        return Query()
    if _PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 8:
        _, e164, error = normalise_phone(text)
        if e164 and not error:
            return Query(phone=e164)
    upper = text.upper()
    references = (upper,)  # another reference form (imported or demo data)
    if _REFERENCE.match(upper):
        compact = upper.replace("-", "")
        references = (f"{compact[:3]}-{compact[3:]}",)
    words = tuple(dict.fromkeys(fold_words(text).split()))[:MAX_WORDS]
    return Query(words=words, references=references)


def fts_query(words: Iterable[str]) -> str:
    """An FTS5 query: every word, as the start of a word ("tan"* AND "canh"*)."""
    return " AND ".join('"{}"*'.format(w.replace('"', '""')) for w in words)


def like_word(word: str) -> str:
    """A LIKE pattern for a folded word at the start of a word of search_text."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped}%"
