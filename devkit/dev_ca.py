"""A local certificate authority for development and tests — never for production.

Real enterprise certificates come from licensed Chinese CAs and live in a USB key (CA 锁) that
never exports its private key. Newcomers and tests still need certificates that look like those
(organisation name in O, 统一社会信用代码 in serialNumber) and a way to sign a login nonce the
way a lock does, so this module issues them from a throw-away CA kept in files. Private keys are
written unencrypted (mode 0600) because they are worthless outside a developer's machine.

Layout of a CA directory::

    ca.pem / ca.key                      self-signed root; ca.pem is the CA_TRUST_BUNDLE
    intermediate.pem / intermediate.key  made on first use of ``via_intermediate=True``
"""

from __future__ import annotations

import base64
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from entryfiling import messages as msg

CA_CERT_NAME = "ca.pem"
CA_KEY_NAME = "ca.key"
INTERMEDIATE_CERT_NAME = "intermediate.pem"
INTERMEDIATE_KEY_NAME = "intermediate.key"
DEV_ORGANISATION = "进疆报送开发测试"
INTERMEDIATE_COMMON_NAME = "进疆报送开发测试企业证书中级CA"
DEFAULT_LEAF_DAYS = 365
# Backdating absorbs clock skew between the machine that issues and the one that verifies.
_BACKDATE = timedelta(minutes=5)
_SAFE_USCC = re.compile(r"^[0-9A-Za-z]{1,64}$")

KeyType = Literal["rsa", "ec"]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def create_dev_ca(directory: Path, *, common_name: str = "进疆报送开发测试根CA", days: int = 3650) -> tuple[Path, Path]:
    """Create the dev root CA in ``directory`` and return ``(ca.pem, ca.key)``.

    Idempotent: if both files exist they are reused untouched, so re-running ``init`` never
    invalidates certificates already issued. A half-present CA is an error rather than silently
    replaced, for the same reason.
    """
    directory = Path(directory)
    cert_path, key_path = directory / CA_CERT_NAME, directory / CA_KEY_NAME
    if _pair_exists(cert_path, key_path):
        return cert_path, key_path
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        _ca_builder(name, name, key.public_key(), key.public_key(), path_length=1)
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    _write_private_key(key_path, key)
    _write_certificates(cert_path, [cert])
    return cert_path, key_path


def issue_enterprise_certificate(
    ca_dir: Path,
    out_dir: Path,
    *,
    enterprise_name: str,
    uscc: str,
    key_type: KeyType = "rsa",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    via_intermediate: bool = False,
) -> tuple[Path, Path]:
    """Issue an enterprise login certificate; return ``(<USCC>.pem, <USCC>.key)`` in ``out_dir``.

    The PEM holds the leaf followed by the intermediate when ``via_intermediate`` — exactly what
    a client uploads at login. The USCC is not validated so tests can issue deliberately wrong
    certificates; it only has to be safe as a file name. Dates default to now … now + 1 year and
    are not clamped to the CA's validity, so expired or future certificates can be made.
    """
    ca_dir, out_dir = Path(ca_dir), Path(out_dir)
    if not _SAFE_USCC.fullmatch(uscc):
        raise ValueError(msg.DEV_CA_USCC_UNSAFE)
    issuer_cert, issuer_key = _load_ca(ca_dir)
    chain: list[x509.Certificate] = []
    if via_intermediate:
        issuer_cert, issuer_key = _intermediate(ca_dir, issuer_cert, issuer_key)
        chain.append(issuer_cert)

    now = datetime.now(UTC)
    not_before = not_before if not_before is not None else now - _BACKDATE
    not_after = not_after if not_after is not None else now + timedelta(days=DEFAULT_LEAF_DAYS)
    key = _generate_key(key_type)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, enterprise_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, uscc.upper()),
            x509.NameAttribute(NameOID.COMMON_NAME, enterprise_name),
        ]
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_authority_key_id(issuer_cert), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = uscc.upper()
    cert_path, key_path = out_dir / f"{stem}.pem", out_dir / f"{stem}.key"
    _write_private_key(key_path, key)
    _write_certificates(cert_path, [leaf, *chain])
    return cert_path, key_path


def sign_nonce(key_pem_path: str | os.PathLike[str], nonce: str) -> str:
    """Sign the nonce's UTF-8 bytes as a CA lock does and return the base64 signature.

    RSA keys sign with PKCS#1 v1.5, EC keys with ECDSA (DER-encoded), both over SHA-256.
    """
    key = serialization.load_pem_private_key(Path(key_pem_path).read_bytes(), password=None)
    data = nonce.encode("utf-8")
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(data, ec.ECDSA(hashes.SHA256()))
    else:
        raise TypeError(f"unsupported key type {type(key).__name__}: only RSA and EC keys sign nonces")
    return base64.b64encode(signature).decode("ascii")


def _pair_exists(cert_path: Path, key_path: Path) -> bool:
    """True if both files exist, False if neither; a lone file means a broken CA."""
    cert_exists, key_exists = cert_path.exists(), key_path.exists()
    if cert_exists != key_exists:
        present, absent = (cert_path, key_path) if cert_exists else (key_path, cert_path)
        raise FileExistsError(msg.DEV_CA_INCOMPLETE.format(present=present, absent=absent))
    return cert_exists


def _load_ca(ca_dir: Path) -> tuple[x509.Certificate, PrivateKey]:
    """Load the root made by :func:`create_dev_ca`; refuse to invent one at a mistyped path."""
    cert_path, key_path = ca_dir / CA_CERT_NAME, ca_dir / CA_KEY_NAME
    if not _pair_exists(cert_path, key_path):
        raise FileNotFoundError(msg.DEV_CA_NOT_INITIALISED.format(path=cert_path))
    return _load_pair(cert_path, key_path)


def _load_pair(cert_path: Path, key_path: Path) -> tuple[x509.Certificate, PrivateKey]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise TypeError(f"unsupported CA key type in {key_path}")
    return cert, key


def _intermediate(
    ca_dir: Path, root_cert: x509.Certificate, root_key: PrivateKey
) -> tuple[x509.Certificate, PrivateKey]:
    """The issuing intermediate, created once beside the root and reused afterwards."""
    cert_path, key_path = ca_dir / INTERMEDIATE_CERT_NAME, ca_dir / INTERMEDIATE_KEY_NAME
    if _pair_exists(cert_path, key_path):
        return _load_pair(cert_path, key_path)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, INTERMEDIATE_COMMON_NAME),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        _ca_builder(name, root_cert.subject, key.public_key(), root_key.public_key(), path_length=0)
        .not_valid_before(max(now - _BACKDATE, root_cert.not_valid_before_utc))
        .not_valid_after(root_cert.not_valid_after_utc)
        .sign(root_key, hashes.SHA256())
    )
    _write_private_key(key_path, key)
    _write_certificates(cert_path, [cert])
    return cert, key


def _ca_builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    issuer_public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    *,
    path_length: int,
) -> x509.CertificateBuilder:
    """Extensions a web-PKI verifier expects on a CA: critical BC and KU, SKI and AKI."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key), critical=False)
    )


def _authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    """AKI copied from the issuer's SKI so chain building matches them exactly."""
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _generate_key(key_type: KeyType) -> PrivateKey:
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"key_type must be 'rsa' or 'ec', not {key_type!r}")


def _write_private_key(path: Path, key: PrivateKey) -> None:
    """Write PKCS#8 PEM, unencrypted (dev only), readable by the owner alone."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # O_CREAT's mode does not apply to an existing file
        handle.write(pem)


def _write_certificates(path: Path, certificates: list[x509.Certificate]) -> None:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates))
