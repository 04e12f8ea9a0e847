"""Our registry client against the stand-in over real HTTP: paging, retries, timeouts, clear errors."""

from __future__ import annotations

import pytest
import requests

from devkit.emulators.registry import (
    DEMO_ENTERPRISE_USCC,
    DEMO_PERSONS,
    RegistryStandIn,
    qualification_record,
)
from entryfiling.domain.errors import ExternalServiceError
from entryfiling.integrations.registry import RegistryClient, RegistryNotFound, RegistryUnavailable
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


def test_calls_of_one_thread_reuse_one_kept_alive_connection(registry):
    import threading

    def three_calls_on_a_fresh_thread() -> None:
        first = client(registry)
        first.qualifications(DEMO_ENTERPRISE_USCC)
        second = client(registry)  # another client on the same thread: the same session
        second.certificates(DEMO_PERSONS[0].id_number)
        second.certificates(DEMO_PERSONS[0].id_number)
        pools = first.session.get_adapter(registry.url).poolmanager.pools
        counts = [(p.num_connections, p.num_requests) for p in map(pools.__getitem__, pools.keys())]
        seen.append((second.session is first.session, counts))

    seen: list[tuple[bool, list[tuple[int, int]]]] = []
    thread = threading.Thread(target=three_calls_on_a_fresh_thread)
    thread.start()
    thread.join(timeout=30)
    assert seen == [(True, [(1, 3)])]


def test_each_thread_has_its_own_session_and_a_given_one_is_kept(registry):
    import threading

    seen: list[requests.Session] = []
    thread = threading.Thread(target=lambda: seen.append(client(registry).session))
    thread.start()
    thread.join(timeout=10)
    assert seen and seen[0] is not client(registry).session
    own = requests.Session()
    assert RegistryClient(registry.url, session=own).session is own
