"""Text helpers for Vietnamese: matching with and without diacritics."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d), collapse spaces: "Xã Tân Cảnh" → "xa tan canh"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def fold_words(text: str) -> str:
    """fold() with punctuation turned into spaces, for word matching."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", fold(text))).strip()


def nfc(text: str) -> str:
    """Normalise to NFC: input typed on different keyboards compares equal."""
    return unicodedata.normalize("NFC", text)
