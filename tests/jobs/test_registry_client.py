"""Our registry client against the stand-in over real HTTP: paging, retries, timeouts, clear errors."""

from __future__ import annotations

import pytest
import requests
import urllib3

from devkit.emulators.registry import (
    DEMO_ENTERPRISE_USCC,
    DEMO_PERSONS,
    RegistryStandIn,
    qualification_record,
)
from entryfiling.domain.errors import ExternalServiceError
from entryfiling.integrations.registry import RegistryClient, RegistryNotFound, RegistryUnavailable, _new_pool
from tests.factories import make_id_number, make_uscc


def client(stand_in: RegistryStandIn, **kw) -> RegistryClient:
    options = {"retries": 2, "backoff": 0.01, "read_timeout": 2.0} | kw
    return RegistryClient(stand_in.url, **options)


def test_reads_demo_qualifications_and_certificates(registry):
    qualifications = client(registry).qualifications(DEMO_ENTERPRISE_USCC)
    assert "建筑工程施工总承包贰级" in [q.name for q in qualifications]
    assert all(q.certificate_number and q.valid_until and q.issued_on for q in qualifications)
    certificates = client(registry).certificates(DEMO_PERSONS[0].id_number)
    assert {c.certificate_type for c in certificates} == {"一级注册建造师", "安全生产考核合格证书（B证）"}
    assert certificates[0].registered_enterprise_uscc == DEMO_ENTERPRISE_USCC


def test_follows_every_page(registry):
    uscc = make_uscc()
    rows = [qualification_record(f"资质{i}", f"D{i:09d}", "2030-01-01", "某厅", "2020-01-01") for i in range(120)]
    registry.put_enterprise(uscc, "分页测试企业", rows)
    fetched = client(registry).qualifications(uscc)
    assert [q.certificate_number for q in fetched] == [r["certificate_number"] for r in rows]
    assert registry.requests_seen("qualifications") == 3  # 50 + 50 + 20


def test_retries_through_two_500s(registry):
    registry.set_fault("error", status=500, times=2)
    assert client(registry, retries=2).certificates(DEMO_PERSONS[0].id_number)
    assert registry.requests_seen("certificates") == 3


def test_gives_up_after_bounded_retries_with_a_chinese_reason(registry):
    registry.set_fault("error", status=503)
    with pytest.raises(RegistryUnavailable) as caught:
        client(registry, retries=2).qualifications(DEMO_ENTERPRISE_USCC)
    assert "已尝试 3 次" in caught.value.message and "状态码 503" in caught.value.message
    assert registry.requests_seen("qualifications") == 3


def test_timeout_is_reported_as_timeout(registry):
    registry.set_fault("timeout", delay=5)
    with pytest.raises(RegistryUnavailable) as caught:
        client(registry, retries=1, read_timeout=0.2).qualifications(DEMO_ENTERPRISE_USCC)
    assert "响应超时" in caught.value.message
    assert registry.requests_seen("qualifications") == 2


def test_slow_answer_within_the_timeout_is_accepted(registry):
    registry.set_fault("slow", delay=0.2, target="qualifications")
    assert client(registry, retries=0, read_timeout=5).qualifications(DEMO_ENTERPRISE_USCC)


def test_fault_on_one_target_leaves_the_other_alone(registry):
    registry.set_fault("error", target="certificates")
    assert client(registry, retries=0).qualifications(DEMO_ENTERPRISE_USCC)
    with pytest.raises(RegistryUnavailable):
        client(registry, retries=0).certificates(DEMO_PERSONS[0].id_number)


def test_unknown_enterprise_is_not_found_and_not_retried(registry):
    uscc = make_uscc()
    with pytest.raises(RegistryNotFound) as caught:
        client(registry).qualifications(uscc)
    assert uscc in caught.value.message
    assert registry.requests_seen("qualifications") == 1


def test_unknown_person_has_no_certificates(registry):
    assert client(registry).certificates(make_id_number()) == []


def test_malformed_answer_is_a_clear_error(registry):
    id_number = make_id_number()
    registry.put_person(id_number, "坏数据", ["not-a-record"])  # type: ignore[list-item]
    with pytest.raises(ExternalServiceError) as caught:
        client(registry).certificates(id_number)
    assert "数据格式有误" in caught.value.message


def test_unreachable_registry(registry):
    url = registry.url
    registry.stop()
    with pytest.raises(RegistryUnavailable) as caught:
        RegistryClient(url, retries=1, backoff=0.01).qualifications(DEMO_ENTERPRISE_USCC)
    assert "无法连接" in caught.value.message


def test_faults_switch_over_http_admin_endpoints(registry):
    assert requests.put(f"{registry.url}/_admin/faults", json={"mode": "bogus"}, timeout=5).status_code == 400
    fault = {"mode": "error", "status": 502, "times": 1}
    response = requests.put(f"{registry.url}/_admin/faults", json=fault, timeout=5)
    assert response.status_code == 200
    first = requests.get(f"{registry.url}/api/enterprises/{DEMO_ENTERPRISE_USCC}/qualifications", timeout=5)
    second = requests.get(f"{registry.url}/api/enterprises/{DEMO_ENTERPRISE_USCC}/qualifications", timeout=5)
    assert (first.status_code, second.status_code) == (502, 200)
    assert second.json()["data"]["total"] == 7


def test_stand_in_refuses_bad_paging_and_identifiers(registry):
    base = f"{registry.url}/api/enterprises/{DEMO_ENTERPRISE_USCC}/qualifications"
    assert requests.get(base, params={"page_size": 500}, timeout=5).status_code == 400
    assert requests.get(f"{registry.url}/api/enterprises/123/qualifications", timeout=5).status_code == 400
    assert requests.get(f"{registry.url}/api/persons/123/certificates", timeout=5).status_code == 400


def test_calls_reuse_one_kept_alive_connection_across_clients_and_threads(registry):
    import threading

    own = urllib3.PoolManager()  # counted from zero (the process's pool may hold older connections)

    def calls_on_a_fresh_thread() -> None:
        second = client(registry, pool=own)
        second.certificates(DEMO_PERSONS[0].id_number)
        second.certificates(DEMO_PERSONS[0].id_number)
        seen.append(client(registry).pool)  # a client made on another thread: the process's pool

    client(registry, pool=own).qualifications(DEMO_ENTERPRISE_USCC)
    seen: list[urllib3.PoolManager] = []
    thread = threading.Thread(target=calls_on_a_fresh_thread)
    thread.start()
    thread.join(timeout=30)
    connections = own.connection_from_url(registry.url)
    assert (connections.num_connections, connections.num_requests) == (1, 3)
    assert seen == [client(registry).pool]


def test_a_given_pool_is_kept_and_a_proxy_named_by_the_environment_is_used(registry, monkeypatch):
    own = urllib3.PoolManager()
    assert RegistryClient(registry.url, pool=own).pool is own
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    through = _new_pool("http://registry.example:8080")
    assert isinstance(through, urllib3.ProxyManager) and through.proxy is not None and through.proxy.port == 9
    monkeypatch.setenv("NO_PROXY", "registry.example")
    assert not isinstance(_new_pool("http://registry.example:8080"), urllib3.ProxyManager)


def test_a_connection_closed_mid_answer_is_retried_then_reported(registry):
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    accepted = 0

    def close_every_connection() -> None:
        nonlocal accepted
        listener.settimeout(10)
        while accepted < 3:
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")  # cut short
            conn.close()
            accepted += 1

    thread = threading.Thread(target=close_every_connection, daemon=True)
    thread.start()
    flaky = RegistryClient(f"http://127.0.0.1:{listener.getsockname()[1]}", retries=2, backoff=0.01)
    with pytest.raises(RegistryUnavailable) as refused:
        flaky.qualifications(DEMO_ENTERPRISE_USCC)
    thread.join(timeout=10)
    listener.close()
    assert accepted == 3 and "3" in refused.value.message
