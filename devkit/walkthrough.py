"""What the dev command prints: how to try each flow with curl against the running service.

Every indented line under a step is a shell command, run in order in one shell from the project
folder; ``tests/commands/`` runs them all against a real dev server, so none can rot. A command
that is meant to be refused says so in a trailing ``# 预期 <status>`` comment. The text is a raw
f-string so that shell quoting (``\"``, ``\r``, line continuations) prints exactly as written.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence

from devkit.demo import DemoCredentials
from devkit.demo_data import DEMO_PERSONS
from entryfiling.config import Settings

JSON_HELPER = """json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }"""


def walkthrough(
    base_url: str,
    credentials: Sequence[DemoCredentials],
    settings: Settings,
    stand_ins: Sequence[tuple[str, str]],
    regulator: tuple[str, str],
) -> str:
    construction = next(c for c in credentials if c.enterprise.enterprise_type == "construction")
    # The step-by-step walk uses another enterprise than try-first-filing, so the two never meet.
    manual = next(c for c in credentials if c.enterprise.enterprise_type == "supervision")
    persons = "、".join(f"{p.name}（{'已实名' if p.verified else '未实名'}）" for p in DEMO_PERSONS)
    enterprises = "\n".join(
        f"  {c.enterprise.name}（{c.enterprise.enterprise_type}）\n    证书 {c.certificate}\n    私钥 {c.key}"
        for c in credentials
    )
    outside = "\n".join(f"  {name}  {url}" for name, url in stand_ins) or "  （未启动：已配置真实服务地址）"
    cert, key = shlex.quote(str(manual.certificate)), shlex.quote(str(manual.key))
    a_cert, a_key = shlex.quote(str(construction.certificate)), shlex.quote(str(construction.key))
    review_login = shlex.quote(json.dumps({"username": regulator[0], "password": regulator[1]}))
    login_body = (
        """python3 -c 'import json,sys; print(json.dumps({"certificate": open(sys.argv[1]).read(), """
        """"nonce": sys.argv[2], "signature": sys.argv[3]}))'"""
    )
    etag = r"""ETAG=$(curl -s -D - -o /dev/null -H "$AUTH" $API/api/v1/filings/$ID | sed -n 's/^ETag: //Ip' | tr -d '\r')"""
    return rf"""
================ 区外建设工程企业进疆信息报送管理系统（开发环境）================
服务地址      {base_url}
接口文档      {base_url}/docs        OpenAPI: {base_url}/openapi.json
手机端        {base_url}/m/          参考移动端（小程序的浏览器版）：微信登录、实名认证、接受邀请、对话填写、上传、提交
数据库        {settings.database_url}
附件目录      {settings.storage_dir}
信任的 CA     {settings.ca_trust_bundle}
后台任务      {"Redis " + settings.redis_url if settings.redis_url else "进程内执行（未配置 REDIS_URL）"}
本地模拟的外部系统:
{outside}
演示企业（开发 CA 签发的证书与私钥）:
{enterprises}
演示人员      {persons}
演示审核员    用户名 {regulator[0]}  密码 {regulator[1]}（主管部门人工审核，见下方第 9 步）

以下命令在项目目录下、同一个 shell 中依次执行（bash）。

—— 一条命令走完首次信息报送（{construction.enterprise.name}：登录 → 五个栏目（含驻疆机构） → 附件 → 承诺书 → 提交 → 记录）——
  .venv/bin/entryfiling try-first-filing --url {base_url} --cert {a_cert} --key {a_key}
  # 各栏目示例数据：devkit/examples/first_filing.json

—— 1. CA 证书登录（{manual.enterprise.name}；挑战码 → CA 锁签名 → 登录）——
  API={base_url}
  {JSON_HELPER}
  TOKEN=$(.venv/bin/entryfiling login --url $API --cert {cert} --key {key})
  AUTH="Authorization: Bearer $TOKEN"
  # 手工方式：取挑战码，用 CA 锁（此处为开发 CA 私钥）签名，再登录
  NONCE=$(curl -s -X POST $API/api/v1/auth/challenge | json '["nonce"]')
  SIG=$(.venv/bin/entryfiling dev-ca sign-nonce --key {key} --nonce "$NONCE")
  curl -s -X POST $API/api/v1/auth/login -H 'Content-Type: application/json' \
       -d "$({login_body} {cert} "$NONCE" "$SIG")"

—— 2. 首次信息报送：新建草稿 ——
  ID=$(curl -s -H "$AUTH" -H 'Content-Type: application/json' -X POST $API/api/v1/filings \
       -d '{{"business": "first_filing", "enterprise_type": "supervision"}}' | json '["id"]')
  echo "办件 id：$ID"
  # 各栏目的字段、附件与规则：curl -s $API/api/v1/businesses/first_filing

—— 3. 逐栏保存（带 If-Match，防止覆盖他人修改）——
  {etag}
  curl -s -H "$AUTH" -H "If-Match: $ETAG" -H 'Content-Type: application/json' -X PUT \
       $API/api/v1/filings/$ID/sections/basic_info -d '{{"contact_name": "王小明"}}'
  # 响应里每个栏目给出 complete（绿色对勾）、missing_fields、missing_attachments
  curl -s -H "$AUTH" $API/api/v1/persons   # 可选人员（已实名并已聘用）

—— 4. 上传附件（按文件内容判断类型；开发环境可用任意 PDF 或图片，这里用下载的承诺书演示）——
  curl -s -H "$AUTH" -o 示例扫描件.pdf $API/api/v1/filings/$ID/commitment-letter
  curl -s -H "$AUTH" -F kind=business_license -F file=@示例扫描件.pdf $API/api/v1/filings/$ID/attachments

—— 5. 承诺书：下载 → 签字盖章 → 上传 → 提交 ——
  curl -s -H "$AUTH" -o 承诺书.pdf $API/api/v1/filings/$ID/commitment-letter
  # 实际办理时上传签字盖章后的扫描件
  LETTER=$(curl -s -H "$AUTH" -F kind=commitment_letter -F file=@承诺书.pdf $API/api/v1/filings/$ID/attachments | json '["attachment"]["id"]')
  curl -s -H "$AUTH" -H 'Idempotency-Key: first-submit' -H 'Content-Type: application/json' \
       -X POST $API/api/v1/filings/$ID/submit -d "{{\"agreed\": true, \"signed_letter\": \"$LETTER\"}}"   # 预期 422：栏目未填完，逐条列出，草稿仍可修改

—— 6. 查询进疆信息报送记录 / 草稿箱 ——
  curl -s -H "$AUTH" "$API/api/v1/filings?status=approved"
  curl -s -H "$AUTH" "$API/api/v1/filings?status=draft"
  curl -s -H "$AUTH" $API/api/v1/enterprise

—— 7. 小程序：微信登录 → 实名认证 → 接受聘用邀请 → 报送联系人在手机上办理 ——
  WX={settings.wechat_api_base_url}
  CODE=$(curl -s -X POST $WX/__emulator__/login -d '{{"openid": "o-demo-lisi"}}' | json '["code"]')
  MTOKEN=$(curl -s -X POST $API/miniapp/v1/login -H 'Content-Type: application/json' -d "{{\"code\": \"$CODE\"}}" | json '["access_token"]')
  curl -s -H "Authorization: Bearer $MTOKEN" $API/miniapp/v1/me
  # 之后的实名认证、邀请、手机办理见 docs/miniapp.md（Walk-through with curl）；接口文档 $API/miniapp/docs

—— 8. 逐项填写（手机上一问一答，可口语化回答，如“2025年3月1日”“3500万元”“张建国”）——
  curl -s -H "$AUTH" $API/api/v1/filings/$ID/next
  {etag}
  curl -s -H "$AUTH" -H "If-Match: $ETAG" -H 'Content-Type: application/json' -X POST \
       $API/api/v1/filings/$ID/answers -d '{{"field": "basic_info.established_on", "value": "2008年5月20日"}}'
  # 回到上一项：不带 from 时回到当前待填项的前一项（重复调用停在同一项）；再往前带上次返回的 step.path
  curl -s -H "$AUTH" -X POST $API/api/v1/filings/$ID/back
  curl -s -H "$AUTH" -H 'Content-Type: application/json' -X POST $API/api/v1/filings/$ID/back \
       -d '{{"from": "basic_info.established_on"}}'

—— 9. 主管部门：人工审核队列（规则要求人工审核的办件，如企业名称与 CA 证书不一致的基本信息变更）——
  RT=$(curl -s -X POST $API/api/v1/review/login -H 'Content-Type: application/json' -d {review_login} | json '["access_token"]')
  curl -s -H "Authorization: Bearer $RT" $API/api/v1/review/filings
  # 审批：POST $API/api/v1/review/filings/<id>/decision  {{"decision": "approve", "reason": "…"}}；详见 docs/notifications.md
================================================================================
"""
