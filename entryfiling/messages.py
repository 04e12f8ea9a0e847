"""User-facing Chinese messages, in one place for review."""

# --- field validators ---
# Reasons for a malformed single value. They never name the field: the caller prefixes the field
# label ("法定代表人身份证号：" + reason). Placeholders are filled with str.format.
INVALID_VALUE_MISSING = "不能为空"
INVALID_VALUE_NOT_TEXT = "应为文本"
INVALID_USCC_LENGTH = "应为18位，当前为{length}位"
INVALID_USCC_CHARACTERS = "只能包含数字和大写英文字母（不含 I、O、Z、S、V）"
INVALID_USCC_REGION = "第3至8位（登记管理机关行政区划码）应为数字"
INVALID_USCC_CHECK = "校验位（第18位）不正确，请核对是否填写有误"
INVALID_ID_NUMBER_LENGTH = "应为18位，当前为{length}位"
INVALID_ID_NUMBER_LEGACY = "是15位旧号码，请填写18位居民身份证号"
INVALID_ID_NUMBER_CHARACTERS = "前17位应为数字，最后一位应为数字或 X"
INVALID_ID_NUMBER_BIRTH_DATE = "第7至14位的出生日期无效"
INVALID_ID_NUMBER_CHECK = "校验位（最后一位）不正确，请核对是否填写有误"
INVALID_MOBILE = "不是有效的手机号码，应为11位数字、以1开头，例如 13812345678"
INVALID_PHONE = "不是有效的电话号码，请填写11位手机号码或“区号-号码”形式的固定电话，例如 0991-1234567、010-12345678-123"
INVALID_EMAIL = "不是有效的电子邮箱地址，例如 name@example.com"
INVALID_DATE_FORMAT = "日期格式不正确，请按年-月-日填写，例如 2024-03-01"
INVALID_DATE_VALUE = "不是有效的日期：{value}"
INVALID_DATE_RANGE = "年份应在 {min_year} 至 {max_year} 之间"
INVALID_AMOUNT_FORMAT = "应为数字金额，例如 1234.56"
INVALID_AMOUNT_NEGATIVE = "不能为负数"
INVALID_AMOUNT_PRECISION = "最多保留两位小数"
INVALID_AMOUNT_TOO_LARGE = "金额过大，整数部分最多{digits}位"

# --- attachments / letter ---
ATTACHMENT_TOO_LARGE = "附件大小超过限制，单个文件不得超过 {limit_mb} MB"
ATTACHMENT_KEY_INVALID = "附件存储标识无效"
ATTACHMENT_TYPE_UNRECOGNISED = "无法识别的附件格式，仅支持 PDF 文档、JPEG 图片或 PNG 图片"
LETTER_RENDER_FAILED = "企业诚信守法承诺书生成失败，请稍后重试"
# Message texts are whole sentences kept on one line so reviewers can grep them; ruff counts each
# CJK character as two columns, so long lines are expected in this catalogue.
# ruff: noqa: E501

# --- CA login ---
# Enterprise login with a CA certificate (CA 锁): the server verifies chain and nonce signature.
CA_CERT_INVALID = "证书格式无效，请上传 PEM 格式的企业 CA 证书"
CA_CERT_EXPIRED = "证书已过期（有效期至 {date}）"
CA_CERT_NOT_YET_VALID = "证书尚未生效（生效日期 {date}）"
CA_CERT_UNTRUSTED = "证书不受信任：未由本系统认可的 CA 签发"
CA_CERT_NOT_FOR_SIGNING = "该证书的密钥用途不包含数字签名，请使用 CA 锁中的签名证书登录"
CA_KEY_TYPE_UNSUPPORTED = "不支持的证书密钥类型，目前仅支持 RSA 和 ECDSA 证书"
CA_KEY_TOO_WEAK = "证书密钥强度不足：RSA 密钥长度至少应为 {min_bits} 位"
CA_SIGNATURE_ENCODING_INVALID = "签名格式无效：应为 Base64 编码的签名值"
CA_SIGNATURE_INVALID = "签名验证失败：请使用与证书匹配的 CA 锁签名"
CA_SUBJECT_INCOMPLETE = "证书缺少企业名称或统一社会信用代码"
CA_SUBJECT_USCC_INVALID = "证书中的统一社会信用代码无效"
# Operator-facing: the configured trust bundle (CA_TRUST_BUNDLE) is unusable.
CA_TRUST_BUNDLE_MISSING = "CA 信任根证书文件不存在：{path}。请设置 CA_TRUST_BUNDLE，或运行 dev-ca init 生成开发用 CA"
CA_TRUST_BUNDLE_UNREADABLE = "无法读取 CA 信任根证书文件：{path}（{reason}）"
CA_TRUST_BUNDLE_INVALID = "CA 信任根证书文件不是有效的 PEM 证书：{path}"
CA_TRUST_BUNDLE_EMPTY = "CA 信任根证书文件中没有证书：{path}"

# --- dev CA command ---
# Developer-facing output of `dev-ca` (local test CA, never for production).
DEV_CA_NOT_INITIALISED = (
    "开发用 CA 尚未创建：{path} 不存在。请先运行 dev-ca init / Dev CA not found, run `dev-ca init` first"
)
DEV_CA_INCOMPLETE = "开发用 CA 文件不完整：{present} 存在而 {absent} 缺失，请删除后重新运行 dev-ca init / Dev CA is incomplete, remove it and re-run `dev-ca init`"
DEV_CA_USCC_UNSAFE = (
    "统一社会信用代码只能包含数字和英文字母（用于生成文件名）/ USCC may contain only letters and digits"
)
DEV_CA_USCC_WARNING = (
    "警告：{uscc} 不是有效的统一社会信用代码，证书仍会签发（可用于测试登录失败）/ Warning: invalid USCC, issuing anyway"
)
DEV_CA_READY = "开发用根 CA / Dev root CA:\n  证书 certificate: {cert}\n  私钥 key:         {key}\n信任根配置 / trust bundle:  export CA_TRUST_BUNDLE={cert}"
DEV_CA_ISSUED = "已签发企业证书 / Issued enterprise certificate:\n  证书链 certificate chain: {cert}\n  私钥 key:                {key}\n签名示例 / sign a nonce:  dev-ca sign-nonce --key {key} --nonce <NONCE>"

# --- fields and sections ---
FIELD_PERSON_ID = "请选择人员（人员编号）"
FIELD_INTEGER = "请输入非负整数"
FIELD_MULTI_ENUM = "请选择一个或多个选项"
FIELD_ENUM = "不是可选项，可选：{options}"
FIELD_TEXT = "请输入文本"
FIELD_TOO_LONG = "不能超过 {limit} 个字符"
FIELD_CONTROL_CHARS = "含有不可见的控制字符"
TEXT_NUL = "填写的内容含有不可见的控制字符，请删除后重试"
FIELD_TABLE = "应为若干行记录组成的列表"
FIELD_TOO_MANY_ROWS = "最多 {limit} 行"
FIELD_UNKNOWN = "不是本栏目的字段"
CATALOGUE_UNKNOWN_SUGGEST = "“{value}”不在目录中，您是否要填写：{suggestions}"
CATALOGUE_UNKNOWN = "“{value}”不在目录中，请按证书上的名称填写"
MISSING_ROWS = "{label}（至少 {count} 条）"
MISSING_ROW_FIELD = "{label}第 {row} 行的{column}"
EXPIRED = "{label}已于 {date} 过期"
EXPIRES_SOON = "{label}将于 {date} 到期（还剩 {days} 天），请及时更新"

# --- filing life ---
STATUS_TRANSITION_REFUSED = "办件当前状态为“{current}”，不能变为“{target}”"
NOT_A_DRAFT = "办件当前状态为“{status}”，只有草稿可以修改"
FILING_NOT_FOUND = "办件不存在"
ATTACHMENT_NOT_FOUND = "附件不存在"
BUSINESS_UNKNOWN = "未知的业务类型：{business}，可选：{options}"
SECTION_UNKNOWN = "本业务没有“{section}”栏目，可选：{options}"
ENTERPRISE_TYPE_REQUIRED = "请选择企业类型（enterprise_type），可选：{options}"
ENTERPRISE_TYPE_UNKNOWN = "未知的企业类型：{value}，可选：{options}"
ENTERPRISE_TYPE_MISMATCH = "本企业已登记为{registered}，不能按{requested}办理"
BUSINESS_NOT_FOR_TYPE = "“{business}”不适用于{enterprise_type}"
COST_CONSULTING_NO_FIRST_FILING = "造价咨询企业只有项目进疆报送（造价企业进疆承揽业务备案），没有企业首次信息报送"
BUSINESS_NEEDS_FILED_ENTERPRISE = "“{business}”仅适用于已完成首次信息报送并审批通过的企业"
# The seed's own words (7.1): 驻疆机构里需要上传最新的驻疆场所证明材料，否则无法保存成功
SECTION_SAVE_NEEDS_ATTACHMENT = "{section}里需要上传最新的{attachment}，否则无法保存成功"
SECTION_INVALID = "{section}有 {count} 处填写有误，未保存"
IF_MATCH_REQUIRED = "请刷新办件后再保存，以免覆盖他人的修改"
IF_MATCH_REQUIRED_HINT = "缺少 If-Match 请求头：请带上最近一次读取办件时返回的 ETag"
IF_MATCH_STALE = "办件已被他人修改，请刷新后再保存"
IF_MATCH_STALE_HINT = "If-Match 与办件当前的 ETag 不一致：请重新读取办件，用新的 ETag 再提交"
ATTACHMENT_KIND_UNKNOWN = "本业务没有“{kind}”附件类型，可选：{options}"
ATTACHMENT_TYPE_REFUSED = "{label}只接受 {allowed}，上传的文件内容不是这些格式"
ATTACHMENT_TOO_MANY = "{label}最多上传 {limit} 个，请先删除已上传的文件"
ATTACHMENT_EMPTY = "上传的文件为空"
ATTACHMENT_FILE_MISSING = "请选择要上传的文件"
ATTACHMENT_FILE_MISSING_HINT = "请以 multipart/form-data 上传，文件字段名为 file（wx.uploadFile 的 name=file）"
SUBMISSION_REFUSED = "提交未成功，共 {count} 个问题需要处理"
SIGNED_LETTER_NOT_FOUND = "所选的签章承诺书附件不存在于本办件"
IDEMPOTENCY_KEY_REUSED = "这次提交与之前的一次提交重复，但内容不同，请刷新后重新提交"
IDEMPOTENCY_KEY_REUSED_HINT = "Idempotency-Key 已用于另一个请求：新的提交请使用新的 Idempotency-Key"
ONLY_DRAFT_DELETABLE = "只能删除草稿，已提交的办件不能删除"
DATE_RANGE_INVALID = "开始日期不能晚于结束日期"

# --- approval rules ---
RULE_SECTION_NOT_SAVED = "{section}尚未填写保存"
RULE_FIELD_MISSING = "{section}：缺少{field}"
RULE_ATTACHMENT_MISSING = "{section}：缺少附件“{attachment}”"
RULE_NOT_AGREED = "请先阅读并勾选“我已阅读并同意《企业诚信守法承诺书》所有条款内容”"
RULE_LETTER_MISSING = "请上传签字盖章后的企业诚信守法承诺书"
RULE_LETTER_NOT_PDF = "签章承诺书必须是 PDF 文件"
RULE_LETTER_UNREADABLE = "签章承诺书不是可打开的 PDF 文件"
RULE_LETTER_REFERENCE_UNREADABLE = "签章承诺书上未能识别出办件编号 {reference}（文字或二维码），需主管部门人工核对"
RULE_LETTER_OTHER_FILING = (
    "上传的签章承诺书属于办件 {found}，不是本办件 {reference} 的承诺书，请下载本办件的承诺书签章后上传"
)
RULE_USCC_CERT_MISMATCH = "登录 CA 证书的统一社会信用代码与企业不一致"
RULE_USCC_MISMATCH = "填写的统一社会信用代码 {filled} 与 CA 证书中的 {certificate} 不一致"
RULE_EXPIRED = "{label}已于 {date} 过期"
RULE_OTHER_OPEN_FILING = "本企业已有在办的“{business}”申请，不能重复办理"

# --- persons ---
PERSON_NOT_FOUND = "人员不存在"
PERSON_NOT_VERIFIED = "{name}尚未在小程序完成实名认证"
PERSON_NOT_EMPLOYED = "{name}未与本企业建立聘用关系"
PERSON_ID_TAKEN = "该身份证号已登记为其他人员"

# --- login and access ---
AUTH_REQUIRED = "请先使用企业 CA 证书登录"
BEARER_HINT = "请在 Authorization 请求头中带上登录返回的令牌：Authorization: Bearer <token>"
AUTH_TOKEN_INVALID = "登录凭证无效，请重新登录"
AUTH_TOKEN_EXPIRED = "登录已过期，请重新登录"
CHALLENGE_INVALID = "挑战码无效、已使用或已过期，请重新获取"
RATE_LIMITED = "操作过于频繁，请 {seconds} 秒后再试"

# --- HTTP ---
HTTP_NOT_FOUND = "请求的资源不存在"
HTTP_METHOD_NOT_ALLOWED = "不支持该请求方法"
HTTP_TOO_LARGE = "上传内容过大（不能超过 {limit} MB）"
HTTP_BAD_REQUEST = "请求格式有误"
HTTP_UNSUPPORTED_MEDIA = "不支持的请求内容类型"
HTTP_INTERNAL = "服务器内部错误，请稍后再试；如持续出现请联系管理员"
HTTP_VALIDATION = "请求参数有误"
HTTP_INVALID_JSON = "提交的内容格式有误，无法识别，请检查后重新提交"
HTTP_INVALID_JSON_HINT = (
    "请求体不是有效的 JSON：请检查引号、逗号和括号是否成对（字符串须用英文双引号），Content-Type 为 application/json"
)
# What werkzeug would answer in English for a status no handler of ours explains.
HTTP_DETAILS = {
    400: HTTP_BAD_REQUEST,
    401: "未登录或登录凭证无效",
    403: "无权访问该资源",
    404: HTTP_NOT_FOUND,
    405: HTTP_METHOD_NOT_ALLOWED,
    406: "无法提供所要求的响应格式",
    409: "与当前状态冲突",
    412: "内容已被他人修改，请刷新后重试",
    415: HTTP_UNSUPPORTED_MEDIA,
    416: "请求的范围无效",
    428: "缺少前置条件",
    429: "请求过于频繁，请稍后再试",
    500: HTTP_INTERNAL,
    501: "不支持该功能",
    503: "服务暂不可用，请稍后再试",
}

# The framework's (webargs, marshmallow) English texts, translated where they reach a user.
# Exact texts first; then patterns (regular expressions) whose groups fill the Chinese text.
FRAMEWORK_MESSAGES = {
    "Invalid JSON body.": HTTP_INVALID_JSON,
    "Missing data for required field.": "缺少必填项",
    "Unknown field.": "不支持的字段",
    "Field may not be null.": "不能为空",
    "Not a valid string.": "应为文本",
    "Not a valid utf-8 string.": "应为 UTF-8 文本",
    "Not a valid integer.": "应为整数",
    "Not a valid number.": "应为数字",
    "Number too large.": "数值过大",
    "Special numeric values (nan or infinity) are not permitted.": "应为有限的数字",
    "Not a valid boolean.": "应为 true 或 false",
    "Not a valid date.": "日期格式应为 YYYY-MM-DD",
    "Not a valid datetime.": "时间格式应为 ISO 8601，例如 2025-03-01T08:00:00+08:00",
    "Not a valid time.": "时间格式应为 HH:MM:SS",
    "Not a valid period of time.": "时长格式有误",
    "Not a valid mapping type.": "应为 JSON 对象",
    "Not a valid list.": "应为列表",
    "Not a valid tuple.": "应为列表",
    "Not a valid email address.": "不是有效的电子邮箱地址",
    "Not a valid URL.": "不是有效的网址",
    "Not a valid UUID.": "不是有效的 UUID",
    "Invalid input type.": "输入类型有误",
    "Invalid input.": "输入有误",
    "Invalid type.": "类型有误",
    "Invalid value.": "取值无效",
    "String does not match expected pattern.": "格式不符合要求",
    "Shorter than minimum length 1.": "不能为空",
}
FRAMEWORK_PATTERNS = (
    (r"Must be one of: (.*?)\.?", "取值应为：{0}"),
    (r"One or more of the choices you made was not in: (.*?)\.?", "含有不可选的项，可选：{0}"),
    (r"Must be greater than or equal to (\S+) and less than or equal to (\S+?)\.?", "应在 {0} 至 {1} 之间"),
    (r"Must be greater than (\S+) and less than (\S+?)\.?", "应大于 {0} 且小于 {1}"),
    (r"Must be greater than or equal to (\S+?)\.?", "不能小于 {0}"),
    (r"Must be less than or equal to (\S+?)\.?", "不能大于 {0}"),
    (r"Must be greater than (\S+?)\.?", "应大于 {0}"),
    (r"Must be less than (\S+?)\.?", "应小于 {0}"),
    (r"Must be equal to (.*?)\.?", "应为 {0}"),
    (r"Length must be between (\d+) and (\d+)\.?", "长度应为 {0} 至 {1} 个字符"),
    (r"Length must be (\d+)\.?", "长度应为 {0} 个字符"),
    (r"Shorter than minimum length (\d+)\.?", "不能少于 {0} 个字符"),
    (r"Longer than maximum length (\d+)\.?", "不能超过 {0} 个字符"),
    (r".* cannot be formatted as an? .*", "格式有误"),
    (r"Not a valid .*", "格式有误"),
)
# Any other English text of the framework: never shown as is.
FRAMEWORK_FALLBACK = "取值无效"

# --- field validators (addendum) ---
# Replaces INVALID_AMOUNT_TOO_LARGE, which began with the field noun ("合同金额：金额过大…").
INVALID_AMOUNT_OUT_OF_RANGE = "超出上限，整数部分最多{digits}位"
PERSON_ALREADY_EMPLOYED = "该人员已与本企业建立聘用关系"
EMPLOYMENT_NOT_FOUND = "聘用关系不存在或已解除"
IDEMPOTENCY_KEY_TOO_LONG = "提交请求有误，请刷新后重新提交"
IDEMPOTENCY_KEY_TOO_LONG_HINT = "Idempotency-Key 不能超过 200 个字符"
ATTACHMENT_CONCURRENT = "同一办件正在同时上传其他附件，请稍后重试"
SUBMIT_CONCURRENT = "办件正在被同时提交或修改，请刷新后查看结果"
ENTERPRISE_NOT_FOUND = "企业不存在"

# --- change businesses, history, withdraw / copy, public register (businesses 3, 4, 7, 8) ---
FIELD_DATE_BEFORE = "{end}不能早于{start}"
FIELD_DERIVED_DIFFERS = "“{value}”与“{source}”不符，按资质目录应为“{expected}”（可不填，保存时自动填写）"
INVALID_AREA = "面积请填写平方米数，例如 120、120平方米 或 120㎡"
ATTACHMENT_KIND_TOO_LARGE = "{label}大小超过限制：单个文件不得超过 {limit_mb} MB"
RULE_NOTHING_CHANGED = "未修改任何备案信息，无需办理“{business}”"
RULE_NAME_CERT_MISMATCH = "填写的企业名称“{filled}”与 CA 证书中的“{certificate}”不一致，需主管部门人工审核"
RULE_NOT_PUBLISHED = "本企业尚未公示，不能申请公示延期"
RULE_EXTENSION_TOO_EARLY = "公示有效期至 {until}，到期前 {days} 天内（{opens_on} 起）或过期后方可申请延期"
RULE_RECORD_EXPIRED = "备案的{section}中{label}已于 {date} 过期，请先办理相应变更"
BUSINESS_NOT_OPENABLE = "暂不能办理“{business}”：{reasons}"
WITHDRAW_DRAFT = "草稿尚未提交，无需撤回；不再需要时可直接删除草稿"
WITHDRAW_DECIDED = "办件已{status}，不能撤回"
COPY_NOT_ALLOWED = "只有审批不通过或已撤回的办件可以复制，当前状态为“{status}”"
COPIED_FROM = "复制自办件 {reference}"
COPY_OPEN_EXISTS = "已有在办的“{business}”办件（编号 {reference}），请在该办件中修改"
CHANGE_PUBLICITY_LABEL = "公示有效期至"
PUBLICITY_VALID = "公示中"
PUBLICITY_LAPSED = "公示已过期"
PUBLIC_ENTERPRISE_NOT_FOUND = "未找到该企业的公示信息"
PAGE_CURSOR_INVALID = "分页位置 after 无效，请使用上一页返回的 next 值"

# --- registry, background jobs, businesses 2/5/6 ---
REGISTRY_TIMEOUT = "全国建筑市场监管公共服务平台响应超时"
REGISTRY_UNREACHABLE = "无法连接全国建筑市场监管公共服务平台"
REGISTRY_HTTP_ERROR = "全国建筑市场监管公共服务平台暂时不可用（状态码 {status}）"
REGISTRY_GAVE_UP = "全国建筑市场监管公共服务平台暂时无法访问（已尝试 {attempts} 次：{problem}），请稍后重试"
REGISTRY_REFUSED = "全国建筑市场监管公共服务平台拒绝了查询请求（状态码 {status}）"
REGISTRY_BAD_RESPONSE = "全国建筑市场监管公共服务平台返回的数据格式有误，请稍后重试或联系管理员"
REGISTRY_TOO_MANY_PAGES = "全国建筑市场监管公共服务平台返回的数据超过 {pages} 页，已停止读取"
REGISTRY_ENTERPRISE_NOT_FOUND = "全国建筑市场监管公共服务平台未查询到统一社会信用代码为 {uscc} 的企业"
JOB_NOT_FOUND = "任务不存在"
JOB_LABELS = {"sync_certificates": "一键同步人员注册证书", "sync_qualifications": "同步企业资质"}
JOB_STATUS_LABELS = {"queued": "排队中", "started": "执行中", "finished": "已完成", "failed": "失败"}
JOB_ABANDONED = "任务执行中断且已无重试次数，请重新发起同步"
JOB_STALE = "任务长时间未完成，已视为失败，请重新发起同步"
JOB_FAILED_UNEXPECTEDLY = "同步任务意外失败，请稍后重试；如持续出现请联系管理员"
JOB_QUEUE_UNAVAILABLE = "任务队列暂时不可用，请稍后重试"
SYNC_NOT_FOR_BUSINESS = "“{business}”没有可从全国建筑市场监管公共服务平台同步的栏目"
SYNC_FILING_NOT_DRAFT = "办件当前状态为“{status}”，只有草稿可以同步"
SYNC_CERT_OTHER_ENTERPRISE = "{person}的{certificate}（{number}）注册在其他企业“{enterprise}”，未纳入本企业"
SYNC_CERT_EXPIRED = "{person}的{certificate}（{number}）已于 {date} 过期，未纳入报送"
SYNC_CERT_INVALID = "{person}的{certificate}（{number}）数据不完整或日期无效：{reason}"
SYNC_CERT_DATES_MISSING = "缺少日期"
SYNC_PERSON_FAILED = "{person}：{reason}"
SYNC_QUALIFICATION_INVALID = "资质“{name}”（{number}）数据不完整或日期无效：{reason}"
SYNC_QUALIFICATION_STATUS_UNKNOWN = "平台登记的资质状态“{status}”无法识别"
SYNC_QUALIFICATION_CANCELLED = "资质“{name}”（{number}）已取消登记，未重新加入"
FIELD_READ_ONLY = "由系统维护，不能直接修改"
FIELD_ATTACHMENT_ID = "请填写本办件中已上传附件的编号"
FIELD_ATTACHMENT_NOT_IN_FILING = "附件不存在于本办件，或不是“{label}”类型"
ATTACHMENT_REFERENCED = "该附件被{section}第 {row} 行引用，请先修改或删除该行"
ROW_CANCEL_NOT_ALLOWED = "“{field}”的记录不能取消登记"
ROW_NOT_FOUND = "“{field}”没有第 {row} 行（共 {count} 行）"
RULE_ROWS_DUPLICATE = "{section}·{field}：第 {row} 行与第 {first} 行重复"
# --- step-by-step filing ---
GUIDED_ROW_LABEL = "{table}第 {row} 条的{column}"
GUIDED_UNKNOWN_PATH = "没有这一项：{path}"
GUIDED_PROMPT = "请填写{label}"
GUIDED_PROMPT_CHOICE = "请选择{label}"
GUIDED_PROMPT_ATTACHMENT = "请上传{label}"
GUIDED_YES_NO = "请回答“是”或“否”"
GUIDED_PERSON_AMBIGUOUS = "有 {count} 位名叫{name}的人员，请从中选择一位"
GUIDED_PERSON_UNKNOWN = "没有找到名叫“{name}”的可选人员（须已实名认证并与本企业建立聘用关系）"
GUIDED_REPROMPT = "{reason}。请重新回答，例如：{example}"
GUIDED_READY = "所有栏目已填写完整，可以提交：请下载承诺书、签字盖章后上传，勾选同意后提交"
GUIDED_ATTACHMENT_BY_UPLOAD = "请拍照或选择文件上传{label}（{formats}）"
GUIDED_ANSWER_NOT_A_FIELD = "{label}是附件，请用上传接口上传"

# --- values as people write them (domain/values.py) ---
INVALID_AMOUNT_WORDS = "没有看懂这个金额，请写数字和单位，例如 5000、5000万元、人民币五千万元 或 1.2亿"
INVALID_AMOUNT_UNIT_PRECISION = "折合成{unit}后超过两位小数，请直接以{unit}填写"
DATE_UNREADABLE = "没有看懂这个日期，请写出年月日，例如 2003年6月1日、2003-06-01 或 2003/6/1"
DATE_NEEDS_DAY = "请补充是哪一天：{year}年{month}月几日？例如 {year}年{month}月1日"
DATE_NEEDS_MONTH_AND_DAY = "请补充月份和日期：{year}年几月几日？例如 {year}年6月1日"
VALUE_RECORDED = "已记录：{label} {value}"

# --- conversation (POST …/filings/{id}/messages) ---
CONVERSATION_CONFIRM_PREFILL = (
    "以下信息已按 CA 证书或备案信息预先填好：{values}。是否正确？正确请回答“是”；要修改请直接说，如“企业名称改成…”"
)
CONVERSATION_MORE_ROWS = "还有其他{table}吗？有请说“有”或直接说“还有一项{table}，…”；没有请说“没有了”"
CONVERSATION_OPTIONAL = "{question}（可跳过）"
CONVERSATION_REVIEW = "请核对：\n{summary}\n无误请回答“确认无误”；要修改请直接说，如“把注册资本改成6000万”"
CONVERSATION_READY = "信息已核对。请下载承诺书，签字盖章后上传（PDF 或各页照片），然后说“同意承诺并提交”"
GUIDED_SKIPPABLE = "（可跳过）"
GUIDED_SKIP_HINT = "不填请回答“跳过”"
CONVERSATION_CHOICE_EXAMPLE = "{label}（直接回复名称）"
CONVERSATION_REQUIRED = "这一项必须填写，不能跳过"
CONVERSATION_VALUE_MISSING = "没有听到{label}的内容，请说出具体的值"
CONVERSATION_RECORDED = "已记录：{items}"
CONVERSATION_CORRECTED = "已更正：{items}"
CONVERSATION_REFUSED = "{label}没有记录：{reason}"
CONVERSATION_UNKNOWN = "没有看懂：“{fragments}”"
CONVERSATION_EXPIRED = "已于 {date} 过期，过期的不能报送；请填写有效期内的日期"
CONVERSATION_SUBMIT_NEEDS_LETTER = "提交前请先上传签字盖章的承诺书（PDF 或各页照片）"
CONVERSATION_SUBMIT_NOT_READY = "还不能提交：{question}"
CONVERSATION_SUBMITTED = "已提交，审批结果：{status}"

# --- the signed letter as photos (POST …/commitment-letter/photos) ---
LETTER_PHOTOS_NONE = "请选择签字盖章后的承诺书各页照片（JPEG 或 PNG），字段名 file，可多张"
LETTER_PHOTOS_TOO_MANY = "一次最多上传 {limit} 页照片"
LETTER_PHOTO_TOO_LARGE = "第 {page} 页照片超过 {limit_mb} MB"
LETTER_PHOTO_TYPE = "第 {page} 页不是 JPEG 或 PNG 图片（按文件内容判断）"
LETTER_PHOTOS_UNREADABLE = "照片无法读取，请重新拍摄后上传"

# --- mini-program: WeChat login, real-name verification, employment, filing contacts ---
WECHAT_FAILED = "微信服务暂时不可用（错误码 {errcode}），请稍后再试"
WECHAT_UNREACHABLE = "无法连接微信服务，请稍后再试"
MINIAPP_AUTH_REQUIRED = "请先登录小程序"
MINIAPP_CODE_INVALID = "登录已失效，请重新打开小程序再试"
MINIAPP_CODE_INVALID_HINT = "code 无效或已过期（微信 errcode 40029）：请重新调用 wx.login 获取新的 code"
MINIAPP_CODE_USED_HINT = "code 已被使用（微信 errcode 40163）：每个 wx.login 的 code 只能登录一次，请重新调用 wx.login"
MINIAPP_LOGIN_RATE_LIMITED = "微信登录过于频繁，请稍后再试"
MINIAPP_HIGH_RISK_USER = "微信判定当前帐号存在安全风险，暂时无法登录。请在微信中完成安全验证后再试，或联系客服"
MINIAPP_HIGH_RISK_USER_HINT = "微信 errcode 40226：高风险等级用户，登录被微信拦截，服务端无法放行"
WECHAT_BUSY = "微信系统繁忙，请稍后再试"
WECHAT_BUSY_HINT = "微信 errcode -1（系统繁忙）：按 Retry-After 的秒数后重试"
MINIAPP_USER_NOT_FOUND = "小程序用户不存在，请重新登录"
PHONE_CODE_INVALID = "手机号授权已失效，请重新点击“获取手机号”授权"
PHONE_CODE_INVALID_HINT = "getPhoneNumber 的 code 无效、已使用或已过期（有效期 5 分钟、只能使用一次）"
PHONE_NOT_FOR_THIS_APP = "手机号信息校验未通过，请重新授权"
PHONE_NOT_FOR_THIS_APP_HINT = "phone_info.watermark.appid 与本小程序 AppID 不符，该结果不是微信发给本小程序的"
IDENTITY_NAME_INVALID = "请填写与身份证一致的姓名（2 至 50 个字）"
IDENTITY_ALREADY_VERIFIED = "您已完成实名认证（{name}），无需重复认证"
IDENTITY_ID_BOUND_TO_OTHER = "该身份证号已由其他微信用户完成实名认证；一个身份证号只能绑定一个微信用户"
IDENTITY_VERIFICATION_NOT_FOUND = "人脸核身会话不存在，请重新发起实名认证"
IDENTITY_VERIFICATION_DONE = "该人脸核身会话已处理（{status}），请勿重复确认"
IDENTITY_VERIFICATION_EXPIRED = "人脸核身会话已过期，请重新发起实名认证"
IDENTITY_VERIFY_REFUSED = "实名认证未通过：{reason}"
IDENTITY_PROVIDER_UNKNOWN = "未知的实名认证服务：{name}，可选：{options}"
IDENTITY_PROVIDER_REFUSED = "实名认证服务拒绝了请求（错误码 {errcode}）：请核对姓名和身份证号后重新发起"
# Reasons of 微信人脸核身 verify_ret, as WeChat documents them.
VERIFY_RET_REASONS = {
    10001: "参数错误",
    10002: "人脸特征检测失败",
    10003: "身份证号与姓名不匹配",
    10004: "人脸与身份证信息不匹配（非本人）",
    90002: "用户在教程页取消了人脸核身",
    90003: "用户在初始化时取消了人脸核身",
    90004: "尚未完成人脸核身，或在识别过程中取消",
    90005: "用户在上传时取消了人脸核身",
    90006: "用户在释放时取消了人脸核身",
    90007: "网络错误，请重试",
    90008: "相机权限未授权",
    90009: "麦克风权限未授权",
    90010: "相机和麦克风权限都未授权",
    90011: "人脸数据采集无效，请在光线充足处重试",
    90017: "识别过程超时，请重试",
}
VERIFY_RET_OTHER = "人脸核身未通过（结果码 {code}）"
PERSON_NOT_VERIFIED_SELF = "请先在小程序完成实名认证"
INVITATION_ROLE_UNKNOWN = "未知的聘用角色：{role}，可选：{options}"
INVITATION_NOT_FOUND = "邀请码不存在，请核对后重新输入"
INVITATION_EXPIRED = "邀请码已于 {at} 过期，请联系企业重新生成"
INVITATION_USED = "邀请码已被使用，每个邀请码只能使用一次"
INVITATION_REVOKED = "邀请码已被企业作废"
INVITATION_NOT_PENDING = "邀请码已使用或已作废，不能再作废"
INVITATION_ATTEMPTS = "邀请码输入过于频繁，请 {seconds} 秒后再试"
INVITATION_EFFECT_NEW = "接受后，您将成为{enterprise}的{role}：{abilities}"
INVITATION_EFFECT_REPLACES = "您现在是{enterprise}的{current}。接受后将改为{role}：{abilities}"
INVITATION_EFFECT_LOSES = "您现在是{enterprise}的{current}。接受后将改为{role}，不再{lost}。确认后才会生效"
INVITATION_ROLE_CHANGE_UNCONFIRMED = "接受此邀请后，您将不再是{enterprise}的{current}，不能再{lost}。请确认后再接受"
INVITATION_ROLE_CHANGE_HINT = "请向用户展示后，带 confirm_role_change=true 再次提交"
INVITATION_NEEDS_VERIFICATION = "接受邀请前，请先完成实名认证"
WXACODE_FAILED = "暂时无法生成小程序码，请稍后再试，或让对方输入邀请码"
WXACODE_FAILED_HINT = "wxacode.getUnlimited 失败（微信 errcode {errcode}）"
SUBSCRIPTION_NOT_OK = "订阅消息授权未完成，请重新点击订阅"
SUBSCRIPTION_NOT_OK_HINT = "errMsg 不是 requestSubscribeMessage:ok：请上报 wx.requestSubscribeMessage 的 success 结果"
EMPLOYMENT_NOT_YOURS = "聘用关系不存在或不属于您"
NOT_A_FILING_CONTACT = "您不是该企业的报送联系人，不能办理该企业的报送业务"
SUBSCRIPTION_TEMPLATE_INVALID = "订阅消息模板编号格式不正确"
SUBSCRIPTION_RESULT_INVALID = "订阅结果应为 accept、reject、ban 或 filter"
SUBSCRIPTION_TOO_MANY = "一次最多上报 {limit} 个模板的订阅结果"

# --- notifications: push of results, the in-app inbox, reminders, regulator review ---
NOTIFY_REMARK_APPROVED = "备案信息已生效"
NOTIFY_REMARK_NONE = "无"
NOTIFY_RESULT_TITLE = "“{business}”{result}"
NOTIFY_RESULT_BODY = "办件编号 {reference}，{result}（{at}）。{remark}"
NOTIFY_MANUAL_REVIEW_BODY = "办件编号 {reference} 已提交，需主管部门人工审核：{remark}"
NOTIFY_NO_WECHAT_USER = "接收人没有小程序账号"
NOTIFY_NO_QUOTA = "接收人没有可用的订阅消息授权次数"
NOTIFY_REFUSED = "微信拒绝发送（错误码 {errcode}）"
NOTIFY_RETRIES_EXHAUSTED = "多次重试仍未发送成功（错误码 {errcode}）"
NOTIFY_OUTCOME_UNKNOWN = "发送过程中断，结果未知；为避免重复推送不再重发"
NOTIFICATION_NOT_FOUND = "消息不存在"
REMINDER_TITLE = "{kind}即将到期：{item}"
REMINDER_TITLE_TODAY = "{kind}今日到期：{item}"
REMINDER_BODY = "{enterprise}的{kind}“{item}”有效期至 {date}，{remark}"
REMINDER_DAYS = "{days}天内到期，请及时办理延续或更新"
REMINDER_TODAY = "今日到期，请尽快办理延续或更新"
REMINDER_PUBLICITY_ITEM = "进疆信息公示有效期"
# The publicity is its own item: said once, not as "进疆信息公示“进疆信息公示有效期”".
REMINDER_PUBLICITY_TITLE = "进疆信息公示即将到期"
REMINDER_PUBLICITY_TITLE_TODAY = "进疆信息公示今日到期"
REMINDER_PUBLICITY_BODY = "{enterprise}的进疆信息公示有效期至 {date}，{remark}"
REVIEW_AUTH_REQUIRED = "请以主管部门账号登录"
REVIEW_ONLY_REGULATORS = "仅主管部门审核人员可以访问审核功能"
REVIEW_LOGIN_FAILED = "用户名或密码错误"
REVIEW_ACCOUNT_DISABLED = "该主管部门账号已停用"
REVIEW_NOT_IN_QUEUE = "办件当前状态为“{status}”，只有待人工审核的办件可以审核"
REVIEW_DECISION_UNKNOWN = "审核结论应为 approve（通过）或 reject（不通过）"
REVIEW_REASON_REQUIRED = "请填写审核意见（至少 {minimum} 个汉字或 {letters} 个字母、数字）"
REVIEW_REJECT_REASON_TOO_SHORT = (
    "不通过的审核意见须写明企业需要补正或修改的内容（至少 {minimum} 个汉字或 {letters} 个字母、数字），"
    "如“未提供名称变更的工商核准通知书”"
)
REVIEW_REASON_TOO_LONG = "审核意见不能超过 {limit} 字"
REVIEW_REJECTED_REASON = "主管部门审核不通过：{reason}"
REVIEW_APPROVED_NOTE = "主管部门审核通过：{reason}"
REVIEW_RULE_DESCRIPTION = "主管部门人工审核"
REGULATOR_USERNAME_INVALID = "用户名应为 3 至 64 位字母、数字、点、下划线或连字符"
REGULATOR_USERNAME_TAKEN = "用户名“{username}”已存在"
REGULATOR_PASSWORD_WEAK = "密码至少 {length} 位，且须同时包含字母和数字"
REGULATOR_NAME_INVALID = "请填写审核人员姓名（1 至 50 字）"
REGULATOR_NOT_FOUND = "主管部门账号“{username}”不存在"
REMINDER_DATE_INVALID = "日期格式不正确，请按年-月-日填写，例如 2026-03-01"
NOTIFICATION_IDS_TOO_MANY = "一次最多标记 {limit} 条消息"
# --- plausibility rules (what a careful clerk notices) ---
JUNK_PLACEHOLDER = "“{value}”是占位或测试内容，请填写真实信息"
JUNK_REPEATED = "“{value}”由重复字符组成，请填写真实信息"
JUNK_NOT_A_NAME = "“{value}”不是有效的中文姓名"
JUNK_NOT_AN_ADDRESS = "“{value}”不是有效的地址，请填写省市区街道门牌"
JUNK_NOT_AN_ORGANISATION = "“{value}”不是有效的单位名称"
JUNK_TEST_EMAIL = "“{value}”是测试用的电子邮箱"
JUNK_TEST_PHONE = "“{value}”是测试用或无效的电话号码"
JUNK_SAME_VALUE = "{first}与{second}填写了相同的内容，请核对"
AGE_OUT_OF_RANGE = "{role}按身份证号计算于提交日为 {age} 岁，不在 {low}–{high} 岁之间"
SAME_ID_OTHER_NAME = "法定代表人“{name}”的身份证号已登记为“{known}”，同一身份证号不能对应不同姓名"
PERSON_SERVES_ELSEWHERE = (
    "{name}已是已备案企业“{enterprise}”的{role}，同一人不能同时担任两家企业的{role}，需主管部门人工审核"
)
DATE_ESTABLISHED_FUTURE = "企业成立日期 {date} 晚于提交日"
DATE_ISSUED_FUTURE = "{label}的发证日期 {date} 晚于提交日"
DATE_VALID_BEFORE_ISSUED = "{label}的有效期至 {until} 早于发证日期 {issued}"
DATE_VALIDITY_TOO_LONG = "{label}的有效期超过 {years} 年，与证书类型不符"
DATE_ISSUED_BEFORE_ESTABLISHED = "{label}的发证日期早于企业成立日期 {established}"
USCC_XINJIANG = "统一社会信用代码 {uscc} 的登记机关在新疆，区外企业方可办理进疆信息报送"
PROVINCE_XINJIANG = "注册地省份为新疆，区外企业方可办理进疆信息报送"
USCC_PROVINCE_MISMATCH = "统一社会信用代码 {uscc} 的登记机关在{region}，与注册地省份“{province}”不一致"
NUMBER_FORMAT = "{label}“{value}”不符合官方编号格式"
CAPITAL_OUT_OF_BOUNDS = "注册资本 {value} 万元不在合理范围内（应大于 0 且不超过 {limit} 万元）"
QUALIFICATION_UNKNOWN = "企业资质第 {row} 行“{name}”不在资质目录中"
QUALIFICATION_WRONG_TYPE = "企业资质第 {row} 行“{name}”属于{sequence}，{enterprise_type}不能持有"
QUALIFICATION_TWICE = "企业资质第 {row} 行与第 {first} 行是同一类别的资质（{name}）"
QUALIFICATION_STATUS_INVALID = "企业资质第 {row} 行“{name}”的状态为“{status}”，只有状态为“有效”的资质可以报送"
LICENCE_NUMBER_FORMAT = (
    "{label}编号“{value}”不符合官方编号格式（应为“(省简称)JZ安许证字[年份]编号”，如 (新)JZ安许证字[2020]000123）"
)
LICENCE_VALIDITY_TOO_LONG = "{label}的有效期 {issued} 至 {until} 超过 {years} 年，与许可证有效期不符"
OFFICE_AREA_OUT_OF_BOUNDS = "驻疆机构办公面积 {value} 平方米不在合理范围内（应为 {low}–{high} 平方米）"
REGISTRY_QUAL_STATUS = "{item}：填写的资质状态“{filed}”与平台登记的“{registry}”不一致"
# --- national registry cross-checks ---
REGISTRY_NOT_CONSULTED = "未能查询全国建筑市场监管公共服务平台，需主管部门人工核验"
REGISTRY_CHECK_UNAVAILABLE = "全国建筑市场监管公共服务平台暂时无法查询（{reason}），需主管部门人工核验"
REGISTRY_QUAL_UNKNOWN = "{item}：全国建筑市场监管公共服务平台无此资质证书编号"
REGISTRY_QUAL_OTHER_ENTERPRISE = "{item}：该资质证书在全国建筑市场监管公共服务平台登记在“{holder}”名下，不属于本企业"
REGISTRY_QUAL_NAME = "{item}：平台登记的该证书资质为“{listed}”，与填写的资质名称或等级不一致"
REGISTRY_DATE_DIFFERS = "{item}：填写的有效期 {filed} 与平台登记的 {registry} 不一致"
REGISTRY_EXPIRED = "{item}：平台登记的有效期 {date} 已过"
REGISTRY_CERT_UNKNOWN = "{item}：全国建筑市场监管公共服务平台中该人员名下无此注册证书"
REGISTRY_CERT_OTHER_ENTERPRISE = "{item}：该注册证书在平台上注册在“{holder}”，不属于本企业"
REGISTRY_CERT_TYPE = "{item}：填写的证书类别“{filed}”与平台登记的“{registry}”不一致"
REGISTRY_CERT_SPECIALTY = "{item}：填写的注册专业“{filed}”与平台登记的“{registry}”不一致"
TECHNICAL_PERSON_UNFIT = "企业主项资质为“{main}”，进疆技术负责人应持有{wanted}，当前为{held}"
RULE_ALREADY_FILED = "本企业已完成首次信息报送，如需更新信息请办理相应的变更业务（企业基本信息变更、进疆负责人变更等）"

# Operations: readiness (/readyz) and start-up checks
READY_DATABASE_DOWN = "数据库不可用"
READY_REDIS_DOWN = "Redis 不可用"
READY_STORAGE_DOWN = "附件存储不可写"
READY_TRUST_BUNDLE_MISSING = "CA 根证书（CA_TRUST_BUNDLE）未加载"
READY_NOT_READY = "服务未就绪：{parts}"
FONT_MISSING_PRODUCTION = (
    "未找到可嵌入的 TrueType 中文字体，承诺书 PDF 将无法正确显示：请安装 fonts-wqy-zenhei 等字体或设置 LETTER_FONT"
)
# Both storage backends: the file behind an attachment is gone.
STORED_FILE_MISSING = "附件文件不存在或已被删除，请重新上传"

# ---------------------------------------------------------------------------- hostile files
FILE_PDF_HEADER_MISPLACED = "{label}：文件开头不是 PDF 文件头（%PDF- 出现在文件中间），疑似伪装成 PDF 的文件，已拒收"
FILE_POLYGLOT = "{label}：文件中还夹带了{other}，疑似伪装文件（多格式混合文件），已拒收"
FILE_PDF_TRUNCATED = "{label}：PDF 文件已损坏或不完整，无法完整解析，请重新导出后上传"
FILE_PDF_TRAILING_DATA = "{label}：PDF 结束标记（%%EOF）之后还附带了其他数据，疑似伪装文件，已拒收"
FILE_PDF_ENCRYPTED = "{label}：PDF 文件已加密，无法检查其内容，请上传未加密的文件"
FILE_PDF_ACTIVE_CONTENT = (
    "{label}：PDF 含有{found}，存在安全风险，已拒收；请打印后重新扫描，或导出为不含脚本和附件的 PDF"
)
FILE_PDF_BOMB = "{label}：PDF 解压后的内容过大（疑似压缩炸弹），已拒收"
FILE_PDF_TOO_COMPLEX = "{label}：PDF 结构过于复杂，无法在限定时间内检查完毕，已拒收"
FILE_IMAGE_BROKEN = "{label}：图片已损坏或不完整，无法解码，请重新拍摄或导出后上传"
FILE_IMAGE_BOMB = "{label}：图片像素数过大（疑似解压炸弹），已拒收，请缩小后上传"

# ---------------------------------------------------------------------------- sessions, lockout, audit
AUTH_SESSION_ENDED = "登录已退出或已失效，请重新登录"
AUTH_SESSION_IDLE = "长时间未操作，登录已失效，请重新登录"
LOGIN_LOCKED = "登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试"
AUDIT_PAGE_INVALID = "分页参数有误"
DEPENDENCY_QUEUE_DOWN = "后台任务与缓存服务暂时不可用，请稍后重试"
DEPENDENCY_DATABASE_DOWN = "数据库暂时不可用，请稍后重试"
