"""Signed acknowledgement links: good ones verify; tampered, expired, or other-purpose ones
are refused with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.referrals.links import LinkError, ack_url, make_ack_token, sign, verify_ack_token

KEY = "test-secret-key-that-is-long-enough-0123456789"
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def test_a_fresh_token_names_its_referral():
    token = make_ack_token(KEY, 42, now=NOW)
    assert verify_ack_token(KEY, token, now=NOW + timedelta(days=6)) == 42
    assert ack_url("http://h.test/", token) == f"http://h.test/ack/{token}"
    assert len(token) < 60  # it must fit in an SMS with the rest of the text


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace("ack.42.", "ack.43."),  # another referral
        lambda t: t.replace(t.split(".")[2], str(int(t.split(".")[2]) + 86400)),  # longer life
        lambda t: _flip(t, len(t) - 1),  # signature changed
        lambda t: t.rsplit(".", 1)[0],  # signature removed
        lambda t: t + "x",
        lambda t: "",
        lambda t: "ack.42.9999999999.../../etc",
    ],
    ids=["other-id", "extended", "bad-mac", "no-mac", "appended", "empty", "junk"],
)
def test_tampered_tokens_are_refused(mangle):
    token = make_ack_token(KEY, 42, now=NOW)
    with pytest.raises(LinkError) as info:
        verify_ack_token(KEY, mangle(token), now=NOW)
    assert info.value.reason == "tampered"


def test_another_key_is_refused():
    token = make_ack_token(KEY, 42, now=NOW)
    with pytest.raises(LinkError, match="chữ ký"):
        verify_ack_token("another-key-entirely-0123456789", token, now=NOW)


def test_expired_tokens_are_refused():
    token = make_ack_token(KEY, 42, now=NOW, ttl=timedelta(hours=1))
    assert verify_ack_token(KEY, token, now=NOW + timedelta(minutes=59)) == 42
    with pytest.raises(LinkError) as info:
        verify_ack_token(KEY, token, now=NOW + timedelta(hours=1))
    assert info.value.reason == "expired"


def test_a_token_for_another_purpose_is_refused():
    token = sign(KEY, "unsubscribe", 42, int((NOW + timedelta(days=1)).timestamp()))
    with pytest.raises(LinkError) as info:
        verify_ack_token(KEY, token, now=NOW)
    assert info.value.reason == "wrong_purpose"


def test_an_empty_secret_key_is_a_configuration_error():
    with pytest.raises(ValueError, match="HOTLINE_SECRET_KEY"):
        make_ack_token("", 1, now=NOW)
