// What a mini-program front end writes against the generated types (./api.d.ts, made from
// /miniapp/openapi.json by openapi-typescript): log in, verify, look at and accept an
// invitation, then walk a guided filing to its submission. Only type-checked, never run.
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type GuidedStep = components["schemas"]["GuidedStep"];
type Problem = components["schemas"]["Problem"];

const client = createClient<paths>({ baseUrl: "https://entryfiling.example" });

function fail(problem: Problem | undefined): never {
  // detail is for the person (wx.showModal); hint is for us.
  throw new Error(problem?.detail ?? "请求失败");
}

export async function walk(
  wxLoginCode: string,
  name: string,
  idNumber: string,
  invitation: string,
  signedLetterId: string,
): Promise<GuidedStep> {
  const login = await client.POST("/miniapp/v1/login", { body: { code: wxLoginCode } });
  if (!login.data) fail(login.error);
  const headers = { Authorization: `Bearer ${login.data.access_token}` };
  const isNew: boolean = login.data.user.new_user;

  const started = await client.POST("/miniapp/v1/identity/verifications", {
    headers,
    body: { name, id_number: idNumber },
  });
  if (!started.data) fail(started.error);
  // wx.requestFacialVerify({ verifyId: started.data.verify_id }) runs on the phone here.
  const confirmed = await client.POST("/miniapp/v1/identity/verifications/{verify_id}/confirm", {
    headers,
    params: { path: { verify_id: started.data.verify_id } },
  });
  if (!confirmed.data) fail(confirmed.error);

  const preview = await client.GET("/miniapp/v1/invitations/preview", {
    headers,
    params: { query: { code: invitation } },
  });
  if (!preview.data) fail(preview.error);
  const enterpriseName: string | undefined = preview.data.enterprise?.name;
  const accepted = await client.POST("/miniapp/v1/invitations/accept", {
    headers,
    body: { code: invitation, confirm_role_change: preview.data.needs_confirmation ?? false },
  });
  if (!accepted.data) fail(accepted.error);

  const me = await client.GET("/miniapp/v1/me", { headers });
  if (!me.data) fail(me.error);
  const enterprise = me.data.may_file_for[0];
  if (enterprise?.id === undefined) throw new Error(`${enterpriseName ?? ""}：尚不是报送联系人`);
  if (isNew) console.log("欢迎");
  const scope = { enterprise_id: enterprise.id };

  const opened = await client.POST("/miniapp/v1/enterprises/{enterprise_id}/filings", {
    headers,
    params: { path: scope },
    body: { business: "first_filing", enterprise_type: "construction" },
  });
  if (!opened.data) fail(opened.error);
  const filing = { ...scope, filing_id: opened.data.id };

  // A section's values as its declaration types them (GET /api/v1/businesses; one schema per section):
  // a value of the wrong type does not compile.
  const basicInfo: components["schemas"]["BasicInfoInput"] = {
    contact_name: "王小明",
    registered_capital: 5000,
    established_on: "2008-05-20",
  };
  const saved = await client.PUT("/miniapp/v1/enterprises/{enterprise_id}/filings/{filing_id}/sections/{section_key}", {
    headers,
    params: { path: { ...filing, section_key: "basic_info" }, header: { "If-Match": opened.data.etag } },
    body: basicInfo,
  });
  if (!saved.data) {
    // errors: field path → the reason(s), e.g. { "uscc": "统一社会信用代码校验位不正确" }.
    const reasons: Record<string, string | string[]> = saved.error?.errors ?? {};
    throw new Error(Object.values(reasons).flat().join("；") || saved.error?.detail);
  }
  const shown = saved.data.sections?.find((section) => section.key === "basic_info")?.values;
  if (shown && "contact_name" in shown) console.log(shown.contact_name);

  const first = await client.GET("/miniapp/v1/enterprises/{enterprise_id}/filings/{filing_id}/next", {
    headers,
    params: { path: filing },
  });
  if (!first.data) fail(first.error);
  let view: GuidedStep = first.data;
  for (let turn = 0; turn < 200 && view.status !== "ready" && view.step; turn++) {
    const ask = view.step;
    const value = ask.options?.[0]?.value ?? ask.persons?.[0]?.id ?? ask.example ?? null;
    const answered = await client.POST("/miniapp/v1/enterprises/{enterprise_id}/filings/{filing_id}/answers", {
      headers,
      params: { path: filing, header: { "If-Match": view.etag } },
      body: { field: ask.path, value },
    });
    if (!answered.data) fail(answered.error);
    view = answered.data;
  }
  const submitted = await client.POST("/miniapp/v1/enterprises/{enterprise_id}/filings/{filing_id}/submit", {
    headers,
    params: { path: filing },
    // The signed letter was uploaded with wx.uploadFile (multipart: kind=commitment_letter, file).
    body: { agreed: true, signed_letter: signedLetterId },
  });
  if (!submitted.data) fail(submitted.error);
  const statusLabel: string = submitted.data.status_label;
  console.log(statusLabel);
  return view;
}
