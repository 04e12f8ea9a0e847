"""What the dev command prints: how to try each flow with curl against the running service."""

from __future__ import annotations

from collections.abc import Sequence

from devkit.demo import DemoCredentials
from devkit.demo_data import DEMO_PERSONS
from entryfiling.config import Settings


def walkthrough(
    base_url: str,
    credentials: Sequence[DemoCredentials],
    settings: Settings,
    stand_ins: Sequence[tuple[str, str]],
    regulator: tuple[str, str],
) -> str:
    construction = next(c for c in credentials if c.enterprise.enterprise_type == "construction")
    persons = "、".join(f"{p.name}（{'已实名' if p.verified else '未实名'}）" for p in DEMO_PERSONS)
    enterprises = "\n".join(
        f"  {c.enterprise.name}（{c.enterprise.enterprise_type}）\n    证书 {c.certificate}\n    私钥 {c.key}"
        for c in credentials
    )
    outside = "\n".join(f"  {name}  {url}" for name, url in stand_ins) or "  （未启动：已配置真实服务地址）"
    return f"""
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

—— 1. CA 证书登录（挑战码 → CA 锁签名 → 登录）——
  TOKEN=$(.venv/bin/entryfiling login --url {base_url} --cert {construction.certificate} --key {construction.key})
  # 手工方式：
  NONCE=$(curl -s -X POST {base_url}/api/v1/auth/challenge | python3 -c 'import json,sys;print(json.load(sys.stdin)["nonce"])')
  SIG=$(.venv/bin/entryfiling dev-ca sign-nonce --key {construction.key} --nonce "$NONCE")
  # 然后 POST {base_url}/api/v1/auth/login  {{"certificate": <PEM>, "nonce": "$NONCE", "signature": "$SIG"}}
  AUTH="Authorization: Bearer $TOKEN"

—— 一条命令走完首次信息报送（登录 → 四个栏目 → 附件 → 承诺书 → 提交 → 记录），逐步打印每个请求 ——
  .venv/bin/entryfiling try-first-filing --url {base_url} --cert {construction.certificate} --key {construction.key}
  # 各栏目示例数据：devkit/examples/first_filing.json

—— 2. 首次信息报送：新建草稿 ——
  curl -s -H "$AUTH" -H 'Content-Type: application/json' -X POST {base_url}/api/v1/filings \\
       -d '{{"business": "first_filing", "enterprise_type": "construction"}}'
  # 记下返回的 id（下称 $ID）和 etag；各栏目要求见 GET {base_url}/api/v1/businesses

—— 3. 逐栏保存（带 If-Match，防止覆盖他人修改）——
  ETAG=$(curl -s -D - -o /dev/null -H "$AUTH" {base_url}/api/v1/filings/$ID | sed -n 's/^ETag: //Ip' | tr -d '\\r')
  curl -s -H "$AUTH" -H "If-Match: $ETAG" -H 'Content-Type: application/json' -X PUT \\
       {base_url}/api/v1/filings/$ID/sections/basic_info -d '{{"contact_name": "王小明"}}'
  # 响应里每个栏目给出 complete（绿色对勾）、missing_fields、missing_attachments
  # 可选人员（已实名并已聘用）: curl -s -H "$AUTH" {base_url}/api/v1/persons

—— 4. 上传附件（按文件内容判断类型）——
  curl -s -H "$AUTH" -F kind=business_license -F file=@营业执照.pdf {base_url}/api/v1/filings/$ID/attachments

—— 5. 承诺书：下载 → 签字盖章 → 上传 → 提交 ——
  curl -s -H "$AUTH" -o 承诺书.pdf {base_url}/api/v1/filings/$ID/commitment-letter
  curl -s -H "$AUTH" -F kind=commitment_letter -F file=@承诺书-签章.pdf {base_url}/api/v1/filings/$ID/attachments
  curl -s -H "$AUTH" -H 'Idempotency-Key: first-submit' -H 'Content-Type: application/json' \\
       -X POST {base_url}/api/v1/filings/$ID/submit -d '{{"agreed": true, "signed_letter": "<附件 id>"}}'

—— 6. 查询进疆信息报送记录 / 草稿箱 ——
  curl -s -H "$AUTH" '{base_url}/api/v1/filings?status=approved'
  curl -s -H "$AUTH" '{base_url}/api/v1/filings?status=draft'
  curl -s -H "$AUTH" {base_url}/api/v1/enterprise
—— 7. 小程序：微信登录 → 实名认证 → 接受聘用邀请 → 报送联系人在手机上办理 ——
  WX={settings.wechat_api_base_url}; API={base_url}
  CODE=$(curl -s -X POST $WX/__emulator__/login -d '{{"openid":"o-demo-lisi"}}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["code"])')
  curl -s -X POST $API/miniapp/v1/login -H 'Content-Type: application/json' -d "{{\"code\":\"$CODE\"}}"
  # 之后的实名认证、邀请、手机办理步骤见 README「Mini-program」一节；接口文档 {base_url}/miniapp/docs

—— 8. 逐项填写（手机上一问一答，可口语化回答，如“2025年3月1日”“3500万元”“张建国”）——
  curl -s -H "$AUTH" {base_url}/api/v1/filings/$ID/next
  curl -s -H "$AUTH" -H "If-Match: $ETAG" -H 'Content-Type: application/json' -X POST \
       {base_url}/api/v1/filings/$ID/answers -d '{{"field": "basic_info.established_on", "value": "2008年5月20日"}}'
—— 9. 主管部门：人工审核队列（规则要求人工审核的办件，如企业名称与 CA 证书不一致的基本信息变更）——
  RT=$(curl -s -X POST {base_url}/api/v1/review/login -H 'Content-Type: application/json' -d '{{"username": "{regulator[0]}", "password": "{regulator[1]}"}}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
  curl -s -H "Authorization: Bearer $RT" {base_url}/api/v1/review/filings
  # 审批：POST {base_url}/api/v1/review/filings/<id>/decision  {{"decision": "approve", "reason": "…"}}；详见 docs/notifications.md
================================================================================
"""
