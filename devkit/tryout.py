"""A scripted first filing against a running service, for newcomers: every request is printed.

It uses only the public HTTP API (requests), exactly as a client would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from devkit.dev_ca import sign_nonce

EXAMPLE = Path(__file__).resolve().parent / "examples" / "first_filing.json"

# Uploads each section needs before it can be saved (the 驻疆机构 its premises proof), and after.
SCANS_BEFORE = {"xinjiang_office": ["premises_proof"]}
SCANS = {
    "basic_info": ["business_license", "legal_representative_id_card"],
    "qualifications": ["qualification_certificates", "safety_license_scan"],
    "responsible_person": [
        "responsible_person_appointment",
        "responsible_person_id_card",
        "responsible_person_employment_proof",
    ],
    "technical_person": ["technical_title_certificate", "technical_person_appointment"],
    "xinjiang_office": [],
}


def run_first_filing(base_url: str, cert: Path, key: Path, echo: Callable[[str], None]) -> dict[str, Any]:
    http = requests.Session()

    def call(method: str, path: str, **kw: Any) -> requests.Response:
        response = http.request(method, base_url + path, timeout=30, **kw)
        echo(f"{method} {path} -> {response.status_code}")
        if response.status_code >= 400:
            raise RuntimeError(response.text)
        return response

    nonce = call("POST", "/api/v1/auth/challenge").json()["nonce"]
    token = call(
        "POST",
        "/api/v1/auth/login",
        json={"certificate": cert.read_text(), "nonce": nonce, "signature": sign_nonce(key, nonce)},
    ).json()
    echo(f"  已登录：{token['enterprise']['name']}（{token['enterprise']['uscc']}）")
    http.headers["Authorization"] = f"Bearer {token['access_token']}"

    filing = call("POST", "/api/v1/filings", json={"business": "first_filing", "enterprise_type": "construction"})
    filing_id = filing.json()["id"]
    echo(f"  办件 {filing.json()['reference']}（id {filing_id}）状态：{filing.json()['status_label']}")
    persons = call("GET", "/api/v1/persons").json()["items"]
    by_name = {p["name"]: p["id"] for p in persons}
    example = json.loads(EXAMPLE.read_text())
    example["responsible_person"]["person"] = by_name["张建国"]
    example["technical_person"]["person"] = by_name["张建国"]  # holds the 一级注册建造师 the example names
    example["basic_info"]["uscc"] = token["enterprise"]["uscc"]
    example["basic_info"]["enterprise_name"] = token["enterprise"]["name"]

    letter_pdf = call("GET", f"/api/v1/filings/{filing_id}/commitment-letter").content
    for section, values in example.items():
        for kind in SCANS_BEFORE.get(section, []):
            call(
                "POST",
                f"/api/v1/filings/{filing_id}/attachments",
                data={"kind": kind},
                files={"file": (f"{kind}.pdf", letter_pdf, "application/pdf")},
            )
        etag = call("GET", f"/api/v1/filings/{filing_id}").headers["ETag"]
        view = call(
            "PUT", f"/api/v1/filings/{filing_id}/sections/{section}", json=values, headers={"If-Match": etag}
        ).json()
        for kind in SCANS[section]:
            view = call(
                "POST",
                f"/api/v1/filings/{filing_id}/attachments",
                data={"kind": kind},
                files={"file": (f"{kind}.pdf", letter_pdf, "application/pdf")},
            ).json()
        status = next(s for s in view["sections"] if s["key"] == section)
        echo(f"  {status['label']}：{'已完整 ✓' if status['complete'] else '不完整'}")

    letter = call("GET", f"/api/v1/filings/{filing_id}/commitment-letter")
    echo(f"  承诺书 PDF {len(letter.content)} 字节（实际办理时签字盖章后扫描上传）")
    signed = call(
        "POST",
        f"/api/v1/filings/{filing_id}/attachments",
        data={"kind": "commitment_letter"},
        files={"file": ("承诺书-签章.pdf", letter.content, "application/pdf")},
    ).json()["attachment"]
    result = call(
        "POST",
        f"/api/v1/filings/{filing_id}/submit",
        json={"agreed": True, "signed_letter": signed["id"]},
        headers={"Idempotency-Key": f"tryout-{filing_id}"},
    ).json()
    echo(f"  审批结果：{result['status_label']} {'；'.join(result['reasons'])}")
    records = call("GET", "/api/v1/filings").json()
    for item in records["items"]:
        echo(f"  记录：{item['reference']} {item['business_label']} {item['status_label']}")
    return dict(result)
