"""Names in the reader's language. Areas and agencies have Vietnamese names and an optional
`name_en`; an area without one is named in English from its Vietnamese name, whose first words
say what kind of unit it is ("Xã Đăk Tô" is "Đăk Tô Commune"). Proper names keep their
diacritics: they are the places' names in English too."""

from __future__ import annotations

import re
from functools import lru_cache

# Vietnamese unit words, longest first, and the English word that follows the name.
UNITS = (
    ("Thành phố", "City"),
    ("Thị trấn", "Township"),
    ("Thị xã", "Town"),
    ("Đặc khu", "Special Zone"),
    ("Tỉnh", "Province"),
    ("Huyện", "District"),
    ("Quận", "Urban District"),
    ("Phường", "Ward"),
    ("Xã", "Commune"),
)
COUNTRY = {"Việt Nam": "Viet Nam"}


@lru_cache(maxsize=4096)
def english_area_name(name: str) -> str:
    """ "Tỉnh Quảng Ngãi" → "Quảng Ngãi Province"; "Thành phố Huế (thuộc tỉnh)" →
    "Huế City (provincial)"; a name without a unit word stays as it is."""
    if name in COUNTRY:
        return COUNTRY[name]
    rest, note = name, ""
    if m := re.fullmatch(r"(.*?) \(thuộc tỉnh\)", name):
        rest, note = m[1], " (provincial)"
    for vietnamese, english in UNITS:
        if rest.startswith(vietnamese + " "):
            return f"{rest[len(vietnamese) + 1 :]} {english}{note}"
    return name


def localized(name: str, name_en: str | None, locale: str, *, area: bool = False) -> str:
    """The name to show a reader of `locale`: the English name when there is one (or, for an
    area, can be made), else the Vietnamese."""
    if locale != "en":
        return name
    return name_en or (english_area_name(name) if area else name)
