"""Vietnamese first: every message in the code and templates has a Vietnamese translation,
and the English catalog covers the same messages."""

from __future__ import annotations

import io

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hotline.i18n.translation import LOCALE_DIR, load_catalogs
from hotline.settings import PROJECT_ROOT

METHODS = [
    ("hotline/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy": None}


def extracted() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT),
        METHODS,
        keywords=KEYWORDS,
        options_map={
            "templates/**.html": {"extensions": "jinja2.ext.i18n"},
            "templates/**.txt": {"extensions": "jinja2.ext.i18n"},
        },
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(locale: str) -> dict[str, str]:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(io.BytesIO(fh.read())) if m.id}


def test_every_message_has_a_vietnamese_translation():
    vi = catalog("vi")
    missing = sorted(m for m in extracted() if not vi.get(m))
    assert not missing, f"run ./scripts/update-translations and translate: {missing}"


def test_english_catalog_lists_every_message():
    en = catalog("en")
    assert not sorted(m for m in extracted() if m not in en)


def test_catalogs_load_and_default_is_vietnamese():
    catalogs = load_catalogs()
    assert catalogs.default == "vi"
    assert catalogs.gettext(None, "New call") == "Cuộc gọi mới"
    assert catalogs.gettext("en", "New call") == "New call"
