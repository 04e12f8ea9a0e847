"""Our own urllib3 pools (registry, WeChat's jscode2session) verify TLS as requests would."""

from __future__ import annotations

import requests.utils

from entryfiling.integrations.registry import _new_pool
from entryfiling.integrations.tls import verified_pool_options


def test_the_bundle_is_the_environments_else_requests_own(monkeypatch, tmp_path):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert verified_pool_options() == {"cert_reqs": "CERT_REQUIRED", "ca_certs": requests.utils.DEFAULT_CA_BUNDLE_PATH}
    bundle = tmp_path / "bundle.pem"
    bundle.write_text("")
    monkeypatch.setenv("CURL_CA_BUNDLE", str(bundle))
    assert verified_pool_options()["ca_certs"] == str(bundle)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path))  # a directory of certificates, as requests takes it
    assert verified_pool_options() == {"cert_reqs": "CERT_REQUIRED", "ca_cert_dir": str(tmp_path)}


def test_a_path_given_wins_and_false_verifies_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nowhere.pem")
    assert verified_pool_options(str(tmp_path)) == {"cert_reqs": "CERT_REQUIRED", "ca_cert_dir": str(tmp_path)}
    assert verified_pool_options(False) == {"cert_reqs": "CERT_NONE", "ca_certs": None}


def test_the_registry_pool_takes_a_directory_of_certificates(monkeypatch, tmp_path):
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path))
    pool = _new_pool("https://registry.example").connection_from_url("https://registry.example")
    assert (pool.cert_reqs, pool.ca_cert_dir, pool.ca_certs) == ("CERT_REQUIRED", str(tmp_path), None)
