"""ID numbers at rest: encryption round trip, tamper detection, deterministic blind index."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from entryfiling.integrations.id_cipher import IdCipher

ID = "11010519750109002X"
KEY = IdCipher.generate_key()


@pytest.fixture
def cipher() -> IdCipher:
    return IdCipher(KEY)


def test_generate_key_is_urlsafe_base64_of_32_bytes() -> None:
    key = IdCipher.generate_key()
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert key != IdCipher.generate_key()


def test_round_trip(cipher: IdCipher) -> None:
    token = cipher.encrypt(ID)
    assert isinstance(token, str)
    assert ID not in token
    assert cipher.decrypt(token) == ID


@given(st.text())
def test_round_trip_any_text(text: str) -> None:
    cipher = IdCipher(KEY)
    assert cipher.decrypt(cipher.encrypt(text)) == text


def test_encryption_is_randomised(cipher: IdCipher) -> None:
    assert cipher.encrypt(ID) != cipher.encrypt(ID)


def test_same_key_string_decrypts_across_instances() -> None:
    assert IdCipher(KEY).decrypt(IdCipher(f" {KEY}\n").encrypt(ID)) == ID


def test_encryption_key_is_derived_not_the_master(cipher: IdCipher) -> None:
    """A token must not open with the raw master key: HKDF separates the uses."""
    token = cipher.encrypt(ID)
    with pytest.raises(Exception):  # noqa: B017 - any failure is fine, success is not
        Fernet(KEY.encode()).decrypt(token.encode())


def test_tampered_token_rejected(cipher: IdCipher) -> None:
    token = cipher.encrypt(ID)
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[len(raw) // 2] ^= 0x01
    with pytest.raises(ValueError):
        cipher.decrypt(base64.urlsafe_b64encode(bytes(raw)).decode())


@pytest.mark.parametrize("token", ["", "not a token", "中文", "gAAAAA"])
def test_garbage_token_rejected(cipher: IdCipher, token: str) -> None:
    with pytest.raises(ValueError):
        cipher.decrypt(token)


def test_token_from_other_key_rejected(cipher: IdCipher) -> None:
    other = IdCipher(IdCipher.generate_key())
    with pytest.raises(ValueError):
        cipher.decrypt(other.encrypt(ID))


def test_blind_index_is_deterministic_and_normalised(cipher: IdCipher) -> None:
    index = cipher.blind_index(ID)
    assert len(index) == 64
    int(index, 16)
    assert cipher.blind_index(ID) == index
    assert IdCipher(KEY).blind_index(ID.lower()) == index
    assert cipher.blind_index(f" {ID} ") == index
    assert cipher.blind_index("110105194912310037") != index


def test_blind_index_depends_on_key(cipher: IdCipher) -> None:
    assert IdCipher(IdCipher.generate_key()).blind_index(ID) != cipher.blind_index(ID)


@pytest.mark.parametrize("key", ["", "short", base64.urlsafe_b64encode(b"x" * 16).decode(), "!" * 44])
def test_bad_key_rejected_without_echoing_it(key: str) -> None:
    with pytest.raises(ValueError) as caught:
        IdCipher(key)
    if key:
        assert key not in str(caught.value)


def test_repr_hides_key(cipher: IdCipher) -> None:
    assert KEY not in repr(cipher)
