"""Small things a clerk meets on the way: download names and option lists that read well."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote

from werkzeug.http import parse_options_header

from tests.api.flows import basic_info, open_first_filing, save, upload
from tests.factories import PNG_BYTES


def plain_and_utf8_names(header: str) -> tuple[str, str]:
    """The filename a client that ignores filename* would save, and the UTF-8 one (RFC 6266)."""
    names = dict(re.findall(r";\s*(filename\*?)=([^;]+)", header))
    return names["filename"].strip('"'), unquote(names["filename*"].removeprefix("UTF-8''"))


def test_letter_download_has_a_readable_ascii_name_and_the_chinese_one(enterprise):
    filing = open_first_filing(enterprise)
    response = enterprise.get(f"/api/v1/filings/{filing['id']}/commitment-letter")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    reference = filing["reference"]
    assert header.startswith("attachment;")
    assert plain_and_utf8_names(header) == (f"commitment-letter-{reference}.pdf", f"企业诚信守法承诺书-{reference}.pdf")
    assert parse_options_header(header)[1]["filename"] == f"企业诚信守法承诺书-{reference}.pdf"


def test_attachment_download_names_its_kind_when_the_name_is_chinese(enterprise):
    filing = open_first_filing(enterprise)
    uploaded = upload(enterprise, filing["id"], "business_license", PNG_BYTES, "营业执照.png")["attachment"]
    response = enterprise.get(uploaded["download_url"])
    assert response.status_code == 200 and hashlib.sha256(response.data).hexdigest() == uploaded["sha256"]
    plain, utf8 = plain_and_utf8_names(response.headers["Content-Disposition"])
    assert plain == f"business-license-{uploaded['id'][:8]}.png" and utf8 == "营业执照.png"
    ascii_named = upload(enterprise, filing["id"], "legal_representative_id_card", PNG_BYTES, "id-front.png")
    again = enterprise.get(ascii_named["attachment"]["download_url"])
    assert parse_options_header(again.headers["Content-Disposition"]) == ("attachment", {"filename": "id-front.png"})


def test_unknown_province_lists_each_province_once(enterprise):
    filing = open_first_filing(enterprise)
    refused = save(enterprise, filing, "basic_info", basic_info(enterprise, registered_province="火星"), expect=422)
    message = refused["errors"]["registered_province"]
    assert "北京市、天津市" in message and "安徽省" in message
    assert "（北京市）" not in message


def test_options_with_a_label_of_their_own_still_show_it(enterprise):
    filing = open_first_filing(enterprise)
    described = enterprise.get("/api/v1/businesses/first_filing").json
    enum_fields = [
        (section["key"], field)
        for section in described["sections"]
        for field in section["fields"]
        if field["type"] == "enum" and any(o["value"] != o["label"] for o in field["options"])
    ]
    section_key, field = enum_fields[0]
    body = {field["key"]: "不存在的选项"}
    refused = save(enterprise, filing, section_key, body, expect=422)
    option = next(o for o in field["options"] if o["value"] != o["label"])
    assert f"{option['value']}（{option['label']}）" in refused["errors"][field["key"]]


def test_back_needs_no_body_and_steps_further_with_the_path_it_returned(enterprise):
    """`POST …/back` without ``from`` goes back from the step just shown (the next missing one)."""
    filing = open_first_filing(enterprise)
    fid = filing["id"]
    etag = enterprise.get(f"/api/v1/filings/{fid}").headers["ETag"]
    for path, value in (("basic_info.enterprise_name", enterprise.name), ("basic_info.uscc", enterprise.uscc)):
        answered = enterprise.post(
            f"/api/v1/filings/{fid}/answers", json={"field": path, "value": value}, headers={"If-Match": etag}
        )
        assert answered.status_code == 200, answered.json
        etag = answered.headers["ETag"]
    shown = enterprise.get(f"/api/v1/filings/{fid}/next").json["step"]["path"]
    assert shown == "basic_info.registered_province"

    bare = enterprise.post(f"/api/v1/filings/{fid}/back")  # no body, no Content-Type
    assert bare.status_code == 200, bare.json
    assert bare.json["step"]["path"] == "basic_info.uscc"
    assert enterprise.post(f"/api/v1/filings/{fid}/back").json["step"]["path"] == "basic_info.uscc"  # same again
    further = enterprise.post(f"/api/v1/filings/{fid}/back", json={"from": bare.json["step"]["path"]}).json
    assert further["step"]["path"] == "basic_info.enterprise_name"
