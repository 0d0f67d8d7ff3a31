"""Translations: Vietnamese by default, English complete. Message ids are English.

Catalogs are read from the .po files at start-up (no compiled .mo files to keep in sync).
Templates get `_`/`gettext`/`ngettext` bound to the request's locale.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent.parent / "locale"
LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"


@dataclass
class Catalogs:
    translations: dict[str, NullTranslations]
    default: str = DEFAULT_LOCALE

    def get(self, locale: str | None) -> NullTranslations:
        return self.translations.get(locale or self.default) or self.translations[self.default]

    def gettext(self, locale: str | None, message: str, **values: object) -> str:
        text = self.get(locale).gettext(message)
        return text % values if values else text


def load_catalogs(default: str = DEFAULT_LOCALE, directory: Path = LOCALE_DIR) -> Catalogs:
    translations: dict[str, NullTranslations] = {}
    for locale in LOCALES:
        po = directory / locale / "LC_MESSAGES" / "messages.po"
        if not po.is_file():
            translations[locale] = NullTranslations()
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        translations[locale] = Translations(fp=buffer)
    return Catalogs(translations, default)


@lru_cache(maxsize=1)
def shipped_catalogs() -> Catalogs:
    """The catalogs in hotline/locale, read once: for text made outside a request (routing
    notices, explain_text), in the locale the caller names."""
    return load_catalogs()


def translations(locale: str | None) -> NullTranslations:
    """The shipped catalog of `locale`; Vietnamese for an unknown or missing one."""
    return shipped_catalogs().get(locale)


def pick_locale(requested: str | None, accept_language: str | None, default: str) -> str:
    """?lang= or the cookie first, then the browser's Accept-Language, then the default."""
    if requested in LOCALES:
        return requested
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return default


def lazy(message: str) -> str:
    """Marks a message for extraction where it is translated later (at render time)."""
    return message
