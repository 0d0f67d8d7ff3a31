"""Find a call: the folded text a call is matched against, and reading the search box."""

from __future__ import annotations

from hotline.calls.find import like_word, read_query, search_text


def test_search_text_folds_names_address_and_narrative():
    text = search_text("Chị Hoa", "Thôn 3, Xã Tân Cảnh", "Bé gái bị ĐÁNH.", ["Lan", None])
    assert text == " chi hoa lan thon 3 xa tan canh be gai bi danh "
    assert search_text(None, None, "", []) == ""


def test_a_phone_in_any_written_form_is_a_phone():
    for typed in ("0912 345 678", "0912.345.678", "+84 912 345 678", "(091) 2345-678"):
        assert read_query(typed).phone == "+84912345678", typed
        assert read_query(typed).words == ()


def test_a_reference_with_or_without_its_dash():
    assert read_query("k7m3px").references == ("K7M-3PX",)
    assert read_query("K7M-3PX").references == ("K7M-3PX",)
    assert read_query("DM-000000123").references == ("DM-000000123",)


def test_words_are_folded_deduplicated_and_bounded():
    query = read_query("Tân  CẢNH tan canh đánh")
    assert query.words == ("tan", "canh", "danh")
    assert query.phone is None and query.references == ("TÂN  CẢNH TAN CANH ĐÁNH",)
    assert len(read_query(" ".join(f"w{i}" for i in range(20))).words) == 8
    assert read_query("   ").empty


def test_short_digit_strings_are_words_not_phones():
    query = read_query("2026")
    assert query.phone is None and query.words == ("2026",)


def test_like_patterns_escape_wildcards():
    assert like_word("a_b%") == "% a\\_b\\%%"
