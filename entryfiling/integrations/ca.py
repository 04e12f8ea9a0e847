"""Enterprise login with a CA certificate (CA 锁): verify chain and signed nonce.

The login is challenge–response: the server hands out a nonce, the enterprise's CA lock signs its
UTF-8 bytes with the certificate's private key, and the browser posts the certificate (leaf first,
then any intermediates) with the base64 signature. This module is the pure-crypto part: it knows
nothing of nonces' lifetime or sessions, only whether *this* certificate, chaining to *these*
trusted roots at *this* moment, signed *this* nonce — and whose certificate it is.

Chain building and path validation are done by ``cryptography.x509.verification``; nothing here
re-implements X.509 processing.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)
from stdnum.cn import uscc as uscc_checker

from entryfiling import messages as msg
from entryfiling.domain.errors import AuthenticationFailed

logger = logging.getLogger(__name__)

#: Smallest RSA key accepted for the enterprise's own (leaf) key; CA keys are held to the same
#: floor by cryptography's web-PKI policy.
MIN_RSA_KEY_BITS = 2048

#: Extended key usages that make a leaf acceptable for login when the certificate has an EKU
#: extension at all. Chinese enterprise certificates commonly carry clientAuth together with
#: emailProtection, some only the latter; a certificate restricted to e.g. serverAuth (an EV TLS
#: certificate also names the enterprise and its USCC) is a web server's key, not a CA lock.
LOGIN_EXTENDED_KEY_USAGES = frozenset(
    {
        ExtendedKeyUsageOID.CLIENT_AUTH,
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    }
)


class TrustBundleError(RuntimeError):
    """The configured ``CA_TRUST_BUNDLE`` cannot be used: a deployment fault, not the user's."""


@dataclass(frozen=True)
class CertificateIdentity:
    """Who logged in, as stated by a verified enterprise certificate."""

    enterprise_name: str  # subject organizationName (O)
    uscc: str  # subject serialNumber (OID 2.5.4.5), the 18-char 统一社会信用代码, upper-cased
    serial_number: str  # certificate serial, lower-case hex without prefix
    fingerprint_sha256: str  # lower-case hex of the DER certificate's SHA-256
    not_after: datetime  # aware UTC
    subject: str  # RFC 4514 string


def load_trust_roots(pem_path: str | os.PathLike[str]) -> list[x509.Certificate]:
    """Read every certificate of a PEM bundle; fail loudly so a bad config is noticed at once."""
    path = Path(pem_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TrustBundleError(msg.CA_TRUST_BUNDLE_MISSING.format(path=path)) from None
    except OSError as exc:
        raise TrustBundleError(msg.CA_TRUST_BUNDLE_UNREADABLE.format(path=path, reason=exc.strerror or exc)) from exc
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise TrustBundleError(msg.CA_TRUST_BUNDLE_EMPTY.format(path=path))
    try:
        roots = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise TrustBundleError(msg.CA_TRUST_BUNDLE_INVALID.format(path=path)) from exc
    if not roots:  # pragma: no cover - load_pem_x509_certificates raises on no certificate
        raise TrustBundleError(msg.CA_TRUST_BUNDLE_EMPTY.format(path=path))
    return roots


def verify_signed_nonce(
    certificate_pem: str,
    nonce: str,
    signature_b64: str,
    trust_roots: Sequence[x509.Certificate],
    now: datetime,
) -> CertificateIdentity:
    """Check certificate, chain and signature over ``nonce``; return the enterprise it names.

    Checks run from the cheapest and most specific to the most general so the user is told the
    real problem (an expired certificate is reported as expired, not as untrusted). Every refusal
    is an :class:`AuthenticationFailed` with a Chinese message.
    """
    now = _as_utc(now)
    leaf, intermediates = _parse_chain(certificate_pem)
    _check_validity(leaf, now)
    public_key = _signing_key(leaf)
    _verify_chain(leaf, intermediates, trust_roots, now)
    _check_key_usage(leaf)
    _verify_signature(public_key, nonce, signature_b64)
    return _identity(leaf)


def _as_utc(moment: datetime) -> datetime:
    """Normalise to aware UTC; a naive value is taken as UTC (what cryptography assumes too)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _parse_chain(certificate_pem: str) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """Split the uploaded PEM into the leaf (first) and the intermediates it brought along."""
    if not isinstance(certificate_pem, str) or "-----BEGIN CERTIFICATE-----" not in certificate_pem:
        raise AuthenticationFailed(msg.CA_CERT_INVALID)
    try:
        certificates = x509.load_pem_x509_certificates(certificate_pem.encode("utf-8"))
    except ValueError:
        raise AuthenticationFailed(msg.CA_CERT_INVALID) from None
    if not certificates:  # pragma: no cover - the loader raises instead
        raise AuthenticationFailed(msg.CA_CERT_INVALID)
    return certificates[0], certificates[1:]


def _check_validity(leaf: x509.Certificate, now: datetime) -> None:
    """Report an out-of-date certificate with its dates, which the verifier would not."""
    if now < leaf.not_valid_before_utc:
        raise AuthenticationFailed(msg.CA_CERT_NOT_YET_VALID.format(date=leaf.not_valid_before_utc.date().isoformat()))
    if now > leaf.not_valid_after_utc:
        raise AuthenticationFailed(msg.CA_CERT_EXPIRED.format(date=leaf.not_valid_after_utc.date().isoformat()))


def _signing_key(leaf: x509.Certificate) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
    """The leaf's public key if we can verify its signatures; checked before the chain so an
    SM2 certificate is told so plainly instead of being reported as untrusted."""
    try:
        key = leaf.public_key()
    except (UnsupportedAlgorithm, ValueError):
        raise AuthenticationFailed(msg.CA_KEY_TYPE_UNSUPPORTED) from None
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_KEY_BITS:
            raise AuthenticationFailed(msg.CA_KEY_TOO_WEAK.format(min_bits=MIN_RSA_KEY_BITS))
        return key
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key
    raise AuthenticationFailed(msg.CA_KEY_TYPE_UNSUPPORTED)


def _login_eku(_policy: Policy, _cert: x509.Certificate, eku: x509.ExtendedKeyUsage | None) -> None:
    """Leaf EKU rule replacing web PKI's "must contain clientAuth" (see LOGIN_EXTENDED_KEY_USAGES)."""
    if eku is not None and LOGIN_EXTENDED_KEY_USAGES.isdisjoint(eku):
        raise ValueError("leaf extendedKeyUsage permits none of clientAuth, emailProtection, anyEKU")


def _leaf_extension_policy() -> ExtensionPolicy:
    """Web-PKI leaf rules, relaxed only where Chinese enterprise certificates differ.

    * subjectAltName: web PKI requires it on every leaf; enterprise certificates identify the
      holder in the subject DN (O, serialNumber) and often have no SAN at all.
    * extendedKeyUsage: web PKI's client policy demands clientAuth when an EKU is present; we
      accept any of :data:`LOGIN_EXTENDED_KEY_USAGES` (a missing EKU stays acceptable).

    Everything else (AKI present, basicConstraints not CA, no keyCertSign, no unknown critical
    extensions) and the whole CA-side policy stay at cryptography's defaults.
    """
    return (
        ExtensionPolicy.webpki_defaults_ee()
        .may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
        .may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _login_eku)
    )


def _verify_chain(
    leaf: x509.Certificate,
    intermediates: list[x509.Certificate],
    trust_roots: Sequence[x509.Certificate],
    now: datetime,
) -> None:
    """Build a path from the leaf to one of the trust roots, valid at ``now``."""
    if not trust_roots:
        logger.warning("CA login refused: no trust roots configured")
        raise AuthenticationFailed(msg.CA_CERT_UNTRUSTED)
    verifier = (
        PolicyBuilder()
        .store(Store(list(trust_roots)))
        .time(now)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=_leaf_extension_policy())
        .build_client_verifier()
    )
    try:
        verifier.verify(leaf, intermediates)
    except VerificationError as exc:
        # The verifier's reason is English and technical: keep it for the operator's log only.
        logger.info("CA login refused, chain not trusted for %s: %s", leaf.subject.rfc4514_string(), exc)
        raise AuthenticationFailed(msg.CA_CERT_UNTRUSTED) from None


def _check_key_usage(leaf: x509.Certificate) -> None:
    """Refuse a key the CA did not certify for signing (e.g. the encryption half of a dual cert)."""
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise AuthenticationFailed(msg.CA_CERT_NOT_FOR_SIGNING)


def _verify_signature(key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey, nonce: str, signature_b64: str) -> None:
    """Check the CA lock's signature over the nonce: PKCS#1 v1.5 or ECDSA (DER), both SHA-256."""
    compact = "".join(signature_b64.split()) if isinstance(signature_b64, str) else ""
    try:
        signature = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise AuthenticationFailed(msg.CA_SIGNATURE_ENCODING_INVALID) from None
    if not signature:
        raise AuthenticationFailed(msg.CA_SIGNATURE_ENCODING_INVALID)
    data = nonce.encode("utf-8")
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AuthenticationFailed(msg.CA_SIGNATURE_INVALID) from None


def _identity(leaf: x509.Certificate) -> CertificateIdentity:
    """Read the enterprise name and USCC from the subject DN, where enterprise CAs put them."""
    organisations = leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    serials = leaf.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    name = _text(organisations[0].value).strip() if organisations else ""
    code = _text(serials[0].value).strip().upper() if serials else ""
    if not name or not code:
        raise AuthenticationFailed(msg.CA_SUBJECT_INCOMPLETE)
    if len(code) != 18 or not uscc_checker.is_valid(code):
        raise AuthenticationFailed(msg.CA_SUBJECT_USCC_INVALID)
    return CertificateIdentity(
        enterprise_name=name,
        uscc=code,
        serial_number=format(leaf.serial_number, "x"),
        fingerprint_sha256=leaf.fingerprint(hashes.SHA256()).hex(),
        not_after=leaf.not_valid_after_utc,
        subject=leaf.subject.rfc4514_string(),
    )


def _text(value: str | bytes) -> str:
    """Attribute values are str except for odd string types; decode those leniently."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def claimed_uscc(certificate_pem: str) -> str | None:
    """The USCC a presented certificate claims, before anything is verified: what failed logins are
    counted against (lockout), never a proof of who the caller is."""
    try:
        leaf, _chain = _parse_chain(certificate_pem)
        serials = leaf.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    except (AuthenticationFailed, ValueError):
        return None
    code = _text(serials[0].value).strip().upper() if serials else ""
    return code[:18] if code else None
