"""Enterprise CA-lock login: chain, validity, signature and subject checks, plus the dev CA."""

from __future__ import annotations

import base64
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from stdnum.cn import uscc as uscc_checker

from devkit.commands.dev_ca import ca_cli
from devkit.dev_ca import create_dev_ca, issue_enterprise_certificate, sign_nonce
from entryfiling import messages as msg
from entryfiling.domain.errors import AuthenticationFailed
from entryfiling.integrations.ca import (
    CertificateIdentity,
    TrustBundleError,
    load_trust_roots,
    verify_signed_nonce,
)

USCC = "91350100M000100Y43"
NAME = "新疆测试建设工程有限公司"
NONCE = "login-nonce-3f9c2a7e-随机数"


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("dev-ca")
    create_dev_ca(directory)
    return directory


@pytest.fixture(scope="module")
def roots(ca_dir: Path) -> list[x509.Certificate]:
    return load_trust_roots(ca_dir / "ca.pem")


def _now() -> datetime:
    return datetime.now(UTC)


def _issue(ca_dir: Path, out: Path, **kwargs: object) -> tuple[str, Path]:
    kwargs.setdefault("enterprise_name", NAME)
    kwargs.setdefault("uscc", USCC)
    cert_path, key_path = issue_enterprise_certificate(ca_dir, out, **kwargs)  # type: ignore[arg-type]
    return cert_path.read_text(), key_path


def _refusal(excinfo: pytest.ExceptionInfo[AuthenticationFailed]) -> str:
    return excinfo.value.message


def test_valid_usccs_used_here() -> None:
    assert uscc_checker.is_valid(USCC)
    assert not uscc_checker.is_valid("91350100M000100Y44")


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_valid_login(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path, key_type: str) -> None:
    pem, key = _issue(ca_dir, tmp_path, key_type=key_type)
    identity = verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now())

    assert isinstance(identity, CertificateIdentity)
    assert identity.enterprise_name == NAME
    assert identity.uscc == USCC
    leaf = x509.load_pem_x509_certificate(pem.encode())
    assert identity.serial_number == format(leaf.serial_number, "x")
    assert identity.fingerprint_sha256 == leaf.fingerprint(hashes.SHA256()).hex()
    assert identity.not_after == leaf.not_valid_after_utc
    assert identity.not_after.tzinfo is not None
    assert f"2.5.4.5={USCC}" in identity.subject or f"serialNumber={USCC}" in identity.subject


def test_lower_case_uscc_in_certificate_is_upper_cased(
    ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path
) -> None:
    # The dev CA upper-cases, so build this one by hand from the dev CA's key.
    pem, key = _handmade_leaf(ca_dir, tmp_path, subject=_subject(uscc=USCC.lower()))
    identity = verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now())
    assert identity.uscc == USCC


def test_leaf_via_intermediate(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    pem, key = _issue(ca_dir, tmp_path, key_type="ec", via_intermediate=True)
    assert pem.count("BEGIN CERTIFICATE") == 2

    identity = verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now())
    assert identity.uscc == USCC


def test_intermediate_must_be_uploaded_with_leaf(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    pem, key = _issue(ca_dir, tmp_path, via_intermediate=True)
    leaf_only = x509.load_pem_x509_certificates(pem.encode())[0].public_bytes(serialization.Encoding.PEM)

    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(leaf_only.decode(), NONCE, sign_nonce(key, NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_CERT_UNTRUSTED


def test_signature_over_another_nonce(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    pem, key = _issue(ca_dir, tmp_path)
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE + "x"), roots, _now())
    assert _refusal(excinfo) == msg.CA_SIGNATURE_INVALID


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_signature_by_another_key(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path, key_type: str) -> None:
    pem, _ = _issue(ca_dir, tmp_path / "mine", key_type=key_type)
    _, other_key = _issue(ca_dir, tmp_path / "other", key_type=key_type)
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(other_key, NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_SIGNATURE_INVALID


def test_ec_signature_against_rsa_certificate(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    pem, _ = _issue(ca_dir, tmp_path / "rsa", key_type="rsa")
    _, ec_key = _issue(ca_dir, tmp_path / "ec", key_type="ec")
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(ec_key, NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_SIGNATURE_INVALID


def test_untrusted_ca(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    other_ca = tmp_path / "other-ca"
    create_dev_ca(other_ca, common_name="冒充的根CA")
    pem, key = _issue(other_ca, tmp_path / "certs")
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_CERT_UNTRUSTED


def test_no_trust_roots_trusts_nothing(ca_dir: Path, tmp_path: Path) -> None:
    pem, key = _issue(ca_dir, tmp_path)
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), [], _now())
    assert _refusal(excinfo) == msg.CA_CERT_UNTRUSTED


def test_ca_certificate_itself_is_not_a_login_certificate(ca_dir: Path, roots: list[x509.Certificate]) -> None:
    root_pem = (ca_dir / "ca.pem").read_text()
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(root_pem, NONCE, sign_nonce(ca_dir / "ca.key", NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_CERT_UNTRUSTED


def test_expired_certificate(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    now = _now()
    not_after = now - timedelta(days=3)
    pem, key = _issue(ca_dir, tmp_path, not_before=now - timedelta(days=400), not_after=not_after)
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, now)
    expected = f"证书已过期（有效期至 {not_after.date().isoformat()}）"
    assert _refusal(excinfo) == expected


def test_not_yet_valid_certificate(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    now = _now()
    pem, key = _issue(ca_dir, tmp_path, not_before=now + timedelta(days=2), not_after=now + timedelta(days=30))
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, now)
    assert _refusal(excinfo).startswith("证书尚未生效")


def test_validity_is_judged_at_the_given_time(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    pem, key = _issue(ca_dir, tmp_path)
    later = _now() + timedelta(days=400)
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, later)
    assert _refusal(excinfo).startswith("证书已过期")


@pytest.mark.parametrize(
    "pem",
    [
        "",
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
    ],
)
def test_garbage_pem(roots: list[x509.Certificate], pem: str) -> None:
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, "c2ln", roots, _now())
    assert _refusal(excinfo) == msg.CA_CERT_INVALID


@pytest.mark.parametrize("signature", ["not base64!", "abc", "", "   "])
def test_bad_base64_signature(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path, signature: str) -> None:
    pem, _ = _issue(ca_dir, tmp_path)
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, signature, roots, _now())
    assert _refusal(excinfo) == msg.CA_SIGNATURE_ENCODING_INVALID


def test_line_wrapped_base64_signature_is_accepted(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    pem, key = _issue(ca_dir, tmp_path)
    signature = sign_nonce(key, NONCE)
    wrapped = "\n".join(signature[i : i + 64] for i in range(0, len(signature), 64))
    assert verify_signed_nonce(pem, NONCE, wrapped, roots, _now()).uscc == USCC


def test_missing_serial_number(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    pem, key = _handmade_leaf(ca_dir, tmp_path, subject=_subject(uscc=None))
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_SUBJECT_INCOMPLETE


def test_missing_organisation(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    pem, key = _handmade_leaf(ca_dir, tmp_path, subject=_subject(organisation=None))
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_SUBJECT_INCOMPLETE


@pytest.mark.parametrize("bad_uscc", ["91350100M000100Y44", "913501"])
def test_invalid_uscc_in_certificate(
    ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path, bad_uscc: str
) -> None:
    pem, key = _issue(ca_dir, tmp_path, uscc=bad_uscc)
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_SUBJECT_USCC_INVALID


def test_leaf_without_eku_or_san_is_accepted(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    """Like many real Chinese enterprise certificates: identity in the DN only, no EKU."""
    pem, key = _handmade_leaf(ca_dir, tmp_path, eku=None)
    assert verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now()).uscc == USCC


def test_leaf_with_email_protection_eku_is_accepted(
    ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path
) -> None:
    pem, key = _handmade_leaf(ca_dir, tmp_path, eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION])
    assert verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now()).uscc == USCC


def test_tls_server_certificate_is_refused(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    """An EV TLS certificate names the enterprise too, but its key belongs to a web server."""
    pem, key = _handmade_leaf(ca_dir, tmp_path, eku=[ExtendedKeyUsageOID.SERVER_AUTH])
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_CERT_UNTRUSTED


def test_encryption_only_certificate_is_refused(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    pem, key = _handmade_leaf(ca_dir, tmp_path, key_usage="encipherment")
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_CERT_NOT_FOR_SIGNING


def test_weak_rsa_key_is_refused(ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem, key = _handmade_leaf(ca_dir, tmp_path, key=weak)
    with pytest.raises(AuthenticationFailed) as excinfo:
        verify_signed_nonce(pem, NONCE, sign_nonce(key, NONCE), roots, _now())
    assert _refusal(excinfo) == msg.CA_KEY_TOO_WEAK.format(min_bits=2048)


# --- trust bundle -------------------------------------------------------------------------------


def test_load_trust_roots_reads_every_certificate(ca_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    create_dev_ca(other)
    bundle = tmp_path / "bundle.pem"
    bundle.write_text((ca_dir / "ca.pem").read_text() + (other / "ca.pem").read_text())
    assert len(load_trust_roots(bundle)) == 2
    assert len(load_trust_roots(str(bundle))) == 2


def test_load_trust_roots_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TrustBundleError, match="不存在"):
        load_trust_roots(tmp_path / "nope.pem")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("", "没有证书"), ("-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n", "不是有效")],
)
def test_load_trust_roots_empty_or_broken(tmp_path: Path, content: str, fragment: str) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(content)
    with pytest.raises(TrustBundleError, match=fragment):
        load_trust_roots(bundle)


# --- dev CA -------------------------------------------------------------------------------------


def test_create_dev_ca_is_idempotent_and_keys_are_private(tmp_path: Path) -> None:
    cert_path, key_path = create_dev_ca(tmp_path / "ca")
    first = cert_path.read_bytes(), key_path.read_bytes()
    assert create_dev_ca(tmp_path / "ca") == (cert_path, key_path)
    assert (cert_path.read_bytes(), key_path.read_bytes()) == first
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600

    root = x509.load_pem_x509_certificate(first[0])
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert root.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign


def test_create_dev_ca_refuses_half_a_ca(tmp_path: Path) -> None:
    _, key_path = create_dev_ca(tmp_path)
    key_path.unlink()
    with pytest.raises(FileExistsError):
        create_dev_ca(tmp_path)


def test_issued_leaf_has_expected_subject_and_extensions(ca_dir: Path, tmp_path: Path) -> None:
    cert_path, key_path = issue_enterprise_certificate(ca_dir, tmp_path, enterprise_name=NAME, uscc=USCC)
    assert (cert_path.name, key_path.name) == (f"{USCC}.pem", f"{USCC}.key")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    leaf = x509.load_pem_x509_certificate(cert_path.read_bytes())
    subject = {attr.oid: attr.value for attr in leaf.subject}
    assert subject == {
        NameOID.COUNTRY_NAME: "CN",
        NameOID.ORGANIZATION_NAME: NAME,
        NameOID.SERIAL_NUMBER: USCC,
        NameOID.COMMON_NAME: NAME,
    }
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku
    leaf.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)


def test_issue_needs_an_initialised_ca(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        issue_enterprise_certificate(tmp_path / "none", tmp_path, enterprise_name=NAME, uscc=USCC)


def test_issue_refuses_uscc_unsafe_as_file_name(ca_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        issue_enterprise_certificate(ca_dir, tmp_path, enterprise_name=NAME, uscc="../../etc/x")


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_sign_nonce_matches_the_ca_lock_scheme(ca_dir: Path, tmp_path: Path, key_type: str) -> None:
    cert_path, key_path = issue_enterprise_certificate(
        ca_dir,
        tmp_path,
        enterprise_name=NAME,
        uscc=USCC,
        key_type=key_type,  # type: ignore[arg-type]
    )
    public_key = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_key()
    signature = base64.b64decode(sign_nonce(key_path, NONCE), validate=True)
    if key_type == "rsa":
        assert isinstance(public_key, rsa.RSAPublicKey)
        public_key.verify(signature, NONCE.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        public_key.verify(signature, NONCE.encode("utf-8"), ec.ECDSA(hashes.SHA256()))


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_init_issue_sign_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)  # the default --dir is relative to the working directory
    result = runner.invoke(ca_cli, ["init"])
    assert result.exit_code == 0, result.output
    assert Path("instance/dev-ca/ca.pem").is_file()

    result = runner.invoke(ca_cli, ["issue", "--name", NAME, "--uscc", USCC, "--key-type", "ec", "--days", "30"])
    assert result.exit_code == 0, result.output
    cert_path = Path("instance/dev-ca/enterprises") / f"{USCC}.pem"
    key_path = Path("instance/dev-ca/enterprises") / f"{USCC}.key"

    result = runner.invoke(ca_cli, ["sign-nonce", "--key", str(key_path), "--nonce", NONCE])
    assert result.exit_code == 0, result.output
    signature = result.stdout.strip()
    assert "\n" not in signature  # only the signature, usable as $(...)

    roots = load_trust_roots("instance/dev-ca/ca.pem")
    identity = verify_signed_nonce(cert_path.read_text(), NONCE, signature, roots, _now())
    assert (identity.enterprise_name, identity.uscc) == (NAME, USCC)
    assert identity.not_after < _now() + timedelta(days=31)


def test_cli_sign_nonce_round_trip_with_explicit_dirs(
    ca_dir: Path, roots: list[x509.Certificate], tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    args = ["issue", "--name", NAME, "--uscc", USCC, "--via-intermediate"]
    result = runner.invoke(ca_cli, [*args, "--dir", str(ca_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(ca_cli, ["sign-nonce", "--key", str(out / f"{USCC}.key"), "--nonce", NONCE])
    assert result.exit_code == 0, result.output
    pem = (out / f"{USCC}.pem").read_text()
    assert verify_signed_nonce(pem, NONCE, result.stdout.strip(), roots, _now()).uscc == USCC


def test_cli_issue_without_ca_explains(tmp_path: Path) -> None:
    result = CliRunner().invoke(ca_cli, ["issue", "--name", NAME, "--uscc", USCC, "--dir", str(tmp_path / "missing")])
    assert result.exit_code != 0
    assert "dev-ca init" in result.output


# --- helpers ------------------------------------------------------------------------------------


def _subject(*, organisation: str | None = NAME, uscc: str | None = USCC) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    if organisation is not None:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if uscc is not None:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, uscc))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, organisation or "无名"))
    return x509.Name(attributes)


def _handmade_leaf(
    ca_dir: Path,
    out: Path,
    *,
    subject: x509.Name | None = None,
    eku: list[x509.ObjectIdentifier] | None = [ExtendedKeyUsageOID.CLIENT_AUTH],  # noqa: B006
    key_usage: str = "signature",
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
) -> tuple[str, Path]:
    """A leaf signed by the dev root, for shapes the dev CA deliberately does not produce."""
    ca_cert = x509.load_pem_x509_certificate((ca_dir / "ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key((ca_dir / "ca.key").read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = key or ec.generate_private_key(ec.SECP256R1())
    signing = key_usage == "signature"
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject or _subject())
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=signing,
                content_commitment=signing,
                key_encipherment=not signing,
                data_encipherment=not signing,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            ),
            critical=False,
        )
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    leaf = builder.sign(ca_key, hashes.SHA256())
    out.mkdir(parents=True, exist_ok=True)
    key_path = out / "handmade.key"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return leaf.public_bytes(serialization.Encoding.PEM).decode(), key_path
