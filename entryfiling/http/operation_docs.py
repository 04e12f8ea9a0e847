"""What each operation is for, written for the front-end teams (in Chinese), kept as data.

The route's docstring gives the one-line summary; the text here says who calls the operation,
what happens, and what each of its documented error statuses means for the person using it.
An operation is found by method and path without its API prefix (``/api/v1``, ``/miniapp/v1`` and
the mini-program's ``/enterprises/{enterprise_id}`` scope), so the filing routes both APIs share
are described once; a full path names an operation that exists on one API only.
"""

from __future__ import annotations

import re
from typing import Any

# Where a status has no meaning of the operation's own: what it means anywhere.
GENERAL_ERRORS = {
    "401": "未登录或登录已失效：请重新登录后再试",
    "403": "无权办理：不是本人 / 本企业的事项，或身份不符",
    "404": "要找的对象不存在，或不属于当前用户",
    "409": "与当前状态冲突：如办件已提交、邀请已使用，刷新后再操作",
    "412": "内容已被他人修改：重新获取办件（新的 ETag）后再保存",
    "413": "文件过大：按附件要求压缩后重传",
    "422": "填写有误：detail 可直接展示给用户，errors 按字段路径列出每一项的原因",
    "428": "缺少 If-Match 请求头：先获取办件，带上其 ETag",
    "429": "操作过于频繁：按 Retry-After 秒数稍后再试",
    "502": "外部系统（微信或全国建筑市场监管公共服务平台）返回错误：请稍后再试",
    "503": "外部系统暂不可用：按 Retry-After 秒数稍后再试",
}

ENTERPRISE_OR_CONTACT = "企业端（CA 登录的企业办理人员）与小程序（该企业的报送联系人）都调用。"

Doc = tuple[str, dict[str, str]]

OPERATIONS: dict[str, Doc] = {
    # ---------------------------------------------------------------- enterprise login (CA 锁)
    "POST /auth/challenge": (
        "企业端登录第一步：取一次性挑战码（nonce），交给 CA 锁签名。挑战码短时有效，只能用一次。",
        {"429": "请求挑战码过于频繁：稍后再试"},
    ),
    "POST /auth/login": (
        "企业端登录第二步：提交 CA 证书、挑战码和 CA 锁的签名；证书链、签名和挑战码都通过后返回 Bearer 令牌和本企业。",
        {
            "401": "证书不受信任、已过期或尚未生效，签名不符，或挑战码已用过 / 已过期："
            "detail 说明原因，重新取挑战码再登录",
            "422": "缺少证书、挑战码或签名",
            "429": "登录失败次数过多，帐号暂时锁定：按 Retry-After 稍后再试",
        },
    ),
    "POST /auth/logout": ("企业端退出登录：本令牌立即失效，之后的请求答 401。", {}),
    "POST /api/v1/review/login": (
        "主管部门审核人员以用户名和密码登录，返回 Bearer 令牌（只能调用 /api/v1/review/… ）。",
        {"401": "用户名或密码不正确", "429": "登录失败次数过多：按 Retry-After 稍后再试"},
    ),
    "POST /review/logout": ("审核人员退出登录：本令牌立即失效。", {}),
    # ---------------------------------------------------------------- declarations
    "GET /businesses": (
        "所有业务的表单声明：不需要登录，企业端与小程序都按它生成表单和校验提示；"
        "每个栏目的字段（类型、必填、可选项、单位）、附件要求（格式、大小、数量）和审批规则。答案带 ETag，可缓存。",
        {},
    ),
    "GET /businesses/{key}": (
        "一个业务的表单声明（同 GET /api/v1/businesses 中的一项）。",
        {"404": "没有这个业务编号"},
    ),
    # ---------------------------------------------------------------- filings
    "GET /filings": (
        "查询进疆信息报送记录：本企业的全部办件及状态，status=draft 为草稿箱；可按业务、创建日期筛选，分页。"
        + ENTERPRISE_OR_CONTACT,
        {"422": "筛选条件有误（如日期格式、未知状态）", "404": "（小程序）没有这家企业，或你不是它的报送联系人"},
    ),
    "POST /filings": (
        "办理一项业务：新建草稿并返回办件（201）；同一业务已有在办的办件时返回那一件（200），不会重复建。"
        "首次信息报送须给 enterprise_type；变更类业务须本企业已备案。" + ENTERPRISE_OR_CONTACT,
        {
            "403": "该业务不适用于本企业（如造价咨询企业办理首次信息报送，或尚未备案就办理变更）",
            "409": "已有同一业务在审批中的办件",
            "422": "业务编号或企业类型有误",
        },
    ),
    "GET /filings/{filing_id}": (
        "办件详情：各栏目的值（身份证号脱敏）、是否完整、缺少的字段和附件、附件、审批结果与状态记录。"
        "答案的 ETag 用于之后保存时的 If-Match。" + ENTERPRISE_OR_CONTACT,
        {"404": "没有这个办件，或它不属于本企业"},
    ),
    "DELETE /filings/{filing_id}": (
        "删除草稿箱中的办件（连同其附件）。" + ENTERPRISE_OR_CONTACT,
        {"409": "办件已提交，不能删除（可撤回）"},
    ),
    "PUT /filings/{filing_id}/sections/{section_key}": (
        "保存一个栏目：可只给部分字段，给出的字段逐项校验，null 清空；字段按 GET /api/v1/businesses 的声明。"
        "须带 If-Match（办件的 ETag）。答案为保存后的办件，栏目的 complete 表示是否已齐全。" + ENTERPRISE_OR_CONTACT,
        {
            "404": "没有这个办件，或该业务没有这个栏目",
            "409": "办件不是草稿（已提交或已办结），不能修改",
            "412": "办件已在别处被修改：重新获取后再保存",
            "422": "有字段填写有误：errors 按字段路径（如 qualifications[1].valid_until）列出原因；"
            "或须先上传的附件（如驻疆场所证明材料）还没有上传",
        },
    ),
    "POST /filings/{filing_id}/attachments": (
        "上传一个附件：multipart 的 kind（附件类型）与 file（wx.uploadFile 的 name=file）。按文件内容判断类型，"
        "大小和数量按附件类型限制。答案为办件，attachment 为刚上传的附件。" + ENTERPRISE_OR_CONTACT,
        {
            "409": "办件不是草稿，不能再上传",
            "413": "文件超过该附件类型的大小限制",
            "422": "附件类型不属于本业务、文件格式不符（按内容判断）、数量已满或缺少文件",
        },
    ),
    "POST /filings/{filing_id}/commitment-letter/photos": (
        "用手机拍下签字盖章的承诺书各页上传（file 可重复，按页序），服务器合成一个 PDF 作为签章承诺书，"
        "并核对照片上的二维码属于本办件。" + ENTERPRISE_OR_CONTACT,
        {"409": "办件不是草稿", "422": "没有照片、照片不是 JPEG/PNG，或照片上的承诺书不是本办件的"},
    ),
    "GET /filings/{filing_id}/attachments/{attachment_id}": (
        "下载本企业办件的一个附件（原文件）。" + ENTERPRISE_OR_CONTACT,
        {"404": "没有这个附件"},
    ),
    "DELETE /filings/{filing_id}/attachments/{attachment_id}": (
        "删除草稿中的一个附件，答案为删除后的办件。" + ENTERPRISE_OR_CONTACT,
        {"404": "没有这个附件", "409": "办件已提交，附件不能删除"},
    ),
    "GET /filings/{filing_id}/commitment-letter": (
        "下载企业诚信守法承诺书 PDF：已填入法定代表人和进疆负责人的姓名、身份证号（PDF 中为完整号码），"
        "带本办件的二维码；打印、签字盖章后上传（附件类型 commitment_letter）或拍照上传。" + ENTERPRISE_OR_CONTACT,
        {"404": "没有这个办件"},
    ),
    "POST /filings/{filing_id}/submit": (
        "提交申请：须已勾选同意承诺书（agreed=true）并上传签章承诺书；提交后立即自动审批，答案为审批后的办件"
        "（通过、不通过及原因，或转人工审核）。Idempotency-Key 相同的重复提交返回同一结果。" + ENTERPRISE_OR_CONTACT,
        {
            "409": "办件已提交，或本企业已有同一业务在审批中",
            "422": "还不能提交：problems 列出全部待处理的问题（缺少的栏目、附件、未同意承诺书等）",
        },
    ),
    "POST /filings/{filing_id}/withdraw": (
        "撤回：审批决定之前撤回已提交的办件（状态变为已撤回），可复制后修改重交。" + ENTERPRISE_OR_CONTACT,
        {"409": "办件未提交或已有审批决定，不能撤回"},
    ),
    "POST /filings/{filing_id}/copy": (
        "把审批不通过或已撤回的办件复制为新草稿（各栏目与附件一并复制，签章承诺书须重新上传）。"
        + ENTERPRISE_OR_CONTACT,
        {"409": "只有不通过或已撤回的办件可以复制，或同一业务已有在办的办件"},
    ),
    "POST /filings/{filing_id}/sections/{section_key}/tables/{field_key}/rows/{row}/cancel": (
        "取消登记：把表格的第 row 行（从 1 起）移入已取消登记的记录，如企业资质信息变更中取消一项资质。"
        "须带 If-Match。" + ENTERPRISE_OR_CONTACT,
        {"404": "没有这个栏目、表格或行", "409": "办件不是草稿，或该表格不能取消登记"},
    ),
    "GET /filings/{filing_id}/messages": (
        "对话填写：打开对话时取现在要问的问题（reply 为给用户看的话，question.quick_replies 为快捷回复）。"
        + ENTERPRISE_OR_CONTACT,
        {},
    ),
    "POST /filings/{filing_id}/messages": (
        "对话填写：用户说一句话，服务器识别其中所有能识别的字段并保存，说明记录了什么、哪些没记录及原因，再问下一项；"
        "也能更正（“把注册资本改成6000万”）、添加表格行、确认后提交。" + ENTERPRISE_OR_CONTACT,
        {"409": "办件不是草稿", "422": "没有说话内容或太长"},
    ),
    "GET /filings/{filing_id}/next": (
        "逐项填写：下一项还缺什么（栏目、字段、提示、类型、可选项或可选人员、进度）；全部完成时 status=ready，"
        "submission 说明如何下载承诺书和提交。" + ENTERPRISE_OR_CONTACT,
        {},
    ),
    "POST /filings/{filing_id}/answers": (
        "逐项填写：回答一项（field 为 step.path，value 可为口语化文本，如“2025年3月1日”“1.2亿”），"
        "与栏目保存同样的校验；答对返回下一项，答错返回 422 和原因。须带 If-Match。" + ENTERPRISE_OR_CONTACT,
        {"422": "这一项的回答不符合要求：detail 为原因，可直接展示", "409": "办件不是草稿"},
    ),
    "POST /filings/{filing_id}/back": (
        "逐项填写：回到上一项（可修改任何已答项）；不带 from 时从 next 刚给出的一项返回。" + ENTERPRISE_OR_CONTACT,
        {"422": "from 不是本办件的一项"},
    ),
    # ---------------------------------------------------------------- enterprise record, persons, invitations
    "GET /enterprise": (
        "本企业的备案信息（各部分按栏目声明，身份证号脱敏）与公示有效期；企业端首页展示。",
        {},
    ),
    "GET /persons": (
        "可选人员：已在小程序实名认证、且当前与本企业有聘用关系的人员（身份证号脱敏），办件的人员字段从中选择；"
        "可按姓名搜索，分页。",
        {"422": "分页或搜索参数有误"},
    ),
    "GET /invitations": ("本企业发出的聘用邀请及其状态（待接受、已接受、已作废、已过期），分页。", {}),
    "POST /invitations": (
        "生成一个聘用邀请（员工或报送联系人）：返回一次性邀请码、二维码内容和过期时间；人员在小程序中预览后接受。",
        {"422": "角色或有效期有误（ttl_hours 为 1–720）"},
    ),
    "DELETE /invitations/{invitation_id}": (
        "作废一个尚未使用的邀请：此后扫码或输入邀请码都不能再接受。",
        {"404": "没有这个邀请", "409": "邀请已被接受或已作废"},
    ),
    "GET /invitations/{invitation_id}/wxacode": (
        "邀请的小程序码（PNG，微信 wxacode.getUnlimited，scene 为邀请码）：打印或转发给人员扫码。",
        {
            "404": "没有这个邀请",
            "409": "邀请已不是待接受状态",
            "502": "微信暂时无法生成小程序码：请稍后再试或直接发送邀请码",
        },
    ),
    "GET /api/v1/employments": ("本企业的聘用关系，含已解除的历史（current=true 仅当前），分页。", {}),
    "POST /api/v1/employments/{employment_id}/end": (
        "企业解除与一名人员的聘用关系：此后该人员不能再被本企业的办件选择，历史记录保留。",
        {"404": "没有这个聘用关系", "409": "聘用关系已解除"},
    ),
    # ---------------------------------------------------------------- registry sync and jobs
    "POST /filings/{filing_id}/sync": (
        "一键同步：在后台从全国建筑市场监管公共服务平台同步人员注册证书或企业资质，并填入本办件的表格；"
        "立即返回任务（202），用 GET /api/v1/jobs/{job_id} 看进度和结果。",
        {"404": "没有这个办件", "409": "办件不是草稿，或该业务没有可同步的栏目", "422": "kind 有误"},
    ),
    "GET /sync/certificates": ("已同步的本企业在职人员注册证书（注册在其他企业的已标出，不纳入报送）。", {}),
    "POST /sync/certificates": (
        "在后台同步本企业全部在职、已实名认证人员的注册证书（不填入办件），返回任务（202）。",
        {},
    ),
    "POST /sync/qualifications": (
        "在后台查询全国平台上本企业的资质，结果列出新增和变更的资质（不填入办件），返回任务（202）。",
        {},
    ),
    "GET /jobs": ("本企业最近的后台任务（同步）及其状态。", {}),
    "GET /jobs/{job_id}": (
        "一个后台任务的状态、进度（done/total）与结果（新增 / 更新 / 未变 / 失败及原因）；"
        "失败的任务 status=failed 并给出原因。",
        {"404": "没有这个任务"},
    ),
    "GET /enterprise/history": (
        "备案信息变更历史：每个审批通过的办件改变了什么（变更前后对照，身份证号脱敏），最新的在前，分页。",
        {},
    ),
    # ---------------------------------------------------------------- public register
    "GET /public/enterprises": (
        "公开查询（不需要登录）：按企业名称、统一社会信用代码、企业类型、资质查询已备案企业；"
        "公示已过期的标为已过期。深翻页时用 after（上一页的 next）。",
        {"422": "查询条件有误（如日期格式）", "429": "查询过于频繁：按 Retry-After 稍后再试"},
    ),
    "GET /public/enterprises/{uscc}": (
        "公开查询一家已备案企业的公示信息（资质及有效期、负责人姓名、驻疆机构、项目）。",
        {"404": "没有这家已备案企业"},
    ),
    # ---------------------------------------------------------------- regulators
    "GET /review/filings": ("审核人员：待人工审核的办件，等待最久的在前，分页。", {"403": "不是审核人员的令牌"}),
    "GET /review/filings/{filing_id}": (
        "审核人员：办件详情，含各栏目、附件（可下载）、各审批规则的结果及依据、状态记录。",
        {"403": "不是审核人员的令牌", "404": "没有这个办件"},
    ),
    "GET /review/filings/{filing_id}/attachments/{attachment_id}": (
        "审核人员：下载办件的附件（含签章承诺书）。",
        {"403": "不是审核人员的令牌", "404": "没有这个附件"},
    ),
    "POST /review/filings/{filing_id}/decision": (
        "审核人员：对转人工审核的办件作出决定，通过（备案信息生效、开始公示、推送结果）或不通过（意见即原因）；"
        "须带 If-Match。",
        {
            "403": "不是审核人员的令牌",
            "409": "办件不在待人工审核状态",
            "422": "缺少决定，或不通过时缺少审核意见",
        },
    ),
    "GET /review/audit": (
        "审核人员：安全审计日志（登录成功与失败、拒绝访问、各项操作），最新的在前，只读，可按条件筛选，分页。",
        {"403": "不是审核人员的令牌", "422": "筛选条件有误"},
    ),
    # ---------------------------------------------------------------- mini-program: the person
    "POST /miniapp/v1/login": (
        "小程序登录：提交 wx.login() 的 code，服务器调用微信 code2session，返回 Bearer 令牌和用户"
        "（session_key 只留在服务器）。",
        {
            "401": "登录已失效（code 无效或已用过）：重新调用 wx.login 后再登录",
            "403": "微信判定帐号存在安全风险，暂时无法登录",
            "422": "缺少 code",
            "429": "微信登录过于频繁：稍后再试",
            "502": "微信返回错误：稍后再试",
            "503": "微信系统繁忙：按 Retry-After 稍后再试",
        },
    ),
    "POST /miniapp/v1/logout": ("小程序退出登录：本令牌立即失效。", {}),
    "POST /miniapp/v1/identity/verifications": (
        "发起实名认证：提交身份证上的姓名和身份证号，服务器向微信取人脸核身会话，返回 verify_id；"
        "小程序用它调用 wx.requestFacialVerify，完成后调用 confirm。",
        {
            "409": "已实名认证，或这个身份证号已被另一个微信用户认证",
            "422": "姓名或身份证号不正确（含校验位）",
            "502": "微信人脸核身暂不可用：稍后再试",
        },
    ),
    "POST /miniapp/v1/identity/verifications/{verify_id}/confirm": (
        "人脸核身完成后确认：服务器向微信查询真实结果，verify_ret=10000 才记为已实名认证；答案含结果及中文说明。",
        {
            "404": "没有这个核身会话",
            "409": "该核身会话已处理过（如已通过），不要重复确认",
            "422": "核身未通过（如人脸与身份证信息不匹配、已过期）：detail 和 result 说明原因，可重新发起",
            "502": "微信查询失败：稍后再试",
        },
    ),
    "GET /miniapp/v1/me": (
        "我的信息：实名认证状态（身份证号脱敏，状态带中文说明）、手机号、聘用关系，以及可代为报送的企业。",
        {},
    ),
    "POST /miniapp/v1/me/phone": (
        "绑定手机号：提交“获取手机号”按钮给的 code，服务器调用微信 getuserphonenumber，保存带国家码的手机号。",
        {
            "422": "手机号授权已失效：请重新点击“获取手机号”授权",
            "502": "手机号信息校验未通过：请重新授权",
        },
    ),
    "POST /miniapp/v1/invitations/accept": (
        "接受聘用邀请（扫小程序码或输入邀请码）：须已实名认证；邀请码一次性、有有效期。"
        "接受会改变你现有的角色时（见预览的 needs_confirmation），须带 confirm_role_change=true 提交，"
        "否则答 409 并说明。",
        {
            "403": "还没有实名认证",
            "404": "没有这个邀请码",
            "409": "邀请已被使用、已作废或已过期；或须确认角色变化（needs_confirmation=true）",
            "422": "邀请码格式不对",
            "429": "尝试过于频繁：稍后再试",
        },
    ),
    "GET /miniapp/v1/invitations/preview": (
        "接受前查看邀请：哪家企业、什么角色、有效期，以及接受后你的角色会有什么变化。",
        {"404": "没有这个邀请码", "409": "邀请已被使用、已作废或已过期", "422": "缺少邀请码"},
    ),
    "POST /miniapp/v1/employments/{employment_id}/end": (
        "人员本人解除与企业的聘用关系（历史记录保留）；此后该企业的办件不能再选择本人。",
        {"404": "没有你的这个聘用关系", "409": "聘用关系已解除"},
    ),
    "GET /miniapp/v1/subscriptions": ("各订阅消息模板剩余的一次性发送次数（每次用户同意增加一次）。", {}),
    "POST /miniapp/v1/subscriptions": (
        "上报 wx.requestSubscribeMessage 的结果，可原样提交（含 errMsg 与各模板编号 → accept/reject/ban/filter）；"
        "每个 accept 增加该模板一次发送次数，审批结果等通知会推送给你。",
        {"422": "结果不是 wx.requestSubscribeMessage 的格式，或模板编号未知"},
    ),
    "GET /miniapp/v1/notifications": ("我的消息（审批结果、到期提醒），最新的在前，分页，附未读数。", {}),
    "POST /miniapp/v1/notifications/read": ("标记已读：给出的消息编号，或不给时全部。", {"422": "消息编号有误"}),
    "GET /miniapp/v1/notifications/templates": ("调用 wx.requestSubscribeMessage 时要请求的模板编号及用途。", {}),
    "POST /miniapp/v1/notifications/{notification_id}/read": ("标记一条消息为已读。", {"404": "没有这条消息"}),
}

_PREFIX = re.compile(r"^/(api|miniapp)/v1(/enterprises/\{enterprise_id\}(?=/filings))?")


def doc_of(path: str, method: str) -> Doc | None:
    return OPERATIONS.get(f"{method.upper()} {path}") or OPERATIONS.get(f"{method.upper()} {_PREFIX.sub('', path)}")


def error_meanings(operation: dict[str, Any], own: dict[str, str]) -> list[tuple[str, str]]:
    statuses = sorted(str(s) for s in operation.get("responses", {}) if str(s)[:1] in "45")
    return [(status, own.get(status) or GENERAL_ERRORS.get(status, "")) for status in statuses]


def describe_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    """The operation's description: what it is for, then what each documented error means."""
    doc = doc_of(path, method)
    if doc is None:
        return
    text, own = doc
    if "/miniapp/v1/enterprises/{enterprise_id}/" in path:
        own = {"403": "你不是这家企业的当前报送联系人", **own}
    lines = [text]
    if operation.get("description"):
        lines.append(operation["description"])
    meanings = error_meanings(operation, own)
    if meanings:
        listed = "\n".join(f"- {status}：{meaning}" for status, meaning in meanings)
        lines.append(f"错误（problem+json 的 detail 可直接展示给用户）：\n{listed}")
    operation["description"] = "\n\n".join(lines)
