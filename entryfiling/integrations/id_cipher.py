"""Encryption at rest for 居民身份证号 and other sensitive personal identifiers.

ID numbers are sensitive personal information (个人信息保护法 art. 28), so the database holds only:

* a Fernet token (AES-128-CBC + HMAC-SHA256, authenticated) from :meth:`IdCipher.encrypt`, and
* a *blind index* from :meth:`IdCipher.blind_index`: a keyed HMAC that lets us find "is this
  person already registered?" with an equality lookup, without decrypting every row. A plain hash
  would not do: the ID-number space is small enough to brute-force.

One configured key (``ID_ENCRYPTION_KEY``) feeds HKDF, which derives independent sub-keys for
encryption and for the index, so neither use can weaken the other.

Key rotation: the previous keys (``ID_ENCRYPTION_PREVIOUS_KEYS``) stay readable through
cryptography's MultiFernet and their blind indexes stay searchable, while everything new is
written under the current key; ``entryfiling keys rotate-id-encryption`` then re-encrypts and
re-indexes the stored values, after which the previous keys can be dropped.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["IdCipher"]

_KEY_BYTES = 32
_HKDF_SALT = b"entryfiling.id-cipher"
_INFO_ENCRYPTION = b"entryfiling id-cipher v1 fernet"
_INFO_BLIND_INDEX = b"entryfiling id-cipher v1 blind-index"


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=_HKDF_SALT, info=info).derive(master)


class IdCipher:
    """Encrypts identifiers and computes their blind index from one master key."""

    def __init__(self, key: str, previous_keys: Sequence[str] = ()) -> None:
        """``key``: urlsafe base64 of 32 random bytes, as made by :meth:`generate_key`; ``previous_keys``:
        keys being rotated away from, still read (and searched) but never written."""
        masters = [_master(k) for k in (key, *previous_keys)]
        self._fernet = MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(m, _INFO_ENCRYPTION))) for m in masters])
        self._index_keys = [_derive(m, _INFO_BLIND_INDEX) for m in masters]
        self._index_key = self._index_keys[0]

    def __repr__(self) -> str:
        return "IdCipher(<key redacted>)"

    @staticmethod
    def generate_key() -> str:
        """A fresh random master key, in the form the constructor expects."""
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, plaintext: str) -> str:
        """Authenticated, randomised encryption: equal inputs give different tokens."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Inverse of :meth:`encrypt`; raises ``ValueError`` if the token was altered or foreign."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, AttributeError, UnicodeError) as exc:
            raise ValueError("ID token is invalid, tampered with, or from another key") from exc

    def rotate(self, token: str) -> str:
        """The same value re-encrypted under the current key (from whichever key sealed it)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, AttributeError, UnicodeError) as exc:
            raise ValueError("ID token is invalid, tampered with, or from another key") from exc

    def blind_indexes(self, plaintext: str) -> list[str]:
        """The value's index under the current and every previous key: what to look up while rows are
        being re-indexed."""
        return [self._index(key, plaintext) for key in self._index_keys]

    def blind_index(self, plaintext: str) -> str:
        """Deterministic HMAC-SHA256 hex of the normalised value, for uniqueness lookups.

        Normalisation (NFKC, no whitespace, upper case) makes ``11010519491231002x`` and
        ``11010519491231002X`` index alike; callers should still store validated values.
        """
        return self._index(self._index_key, plaintext)

    @staticmethod
    def _index(key: bytes, plaintext: str) -> str:
        normalized = "".join(unicodedata.normalize("NFKC", plaintext).split()).upper()
        return hmac.new(key, normalized.encode("utf-8"), hashlib.sha256).hexdigest()


def _master(key: str) -> bytes:
    try:
        master = base64.urlsafe_b64decode(key.strip().encode("ascii"))
    except (AttributeError, UnicodeEncodeError, binascii.Error, ValueError):
        master = b""
    if len(master) != _KEY_BYTES:
        # Never echo the key itself: it would end up in logs.
        raise ValueError("ID_ENCRYPTION_KEY must be urlsafe base64 of 32 bytes (IdCipher.generate_key())")
    return master
