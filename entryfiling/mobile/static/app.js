// The reference mobile client: the mini-program's twin in a browser. It calls only the documented
// mini-program API (/miniapp/v1, see /miniapp/docs); in development the phone's own steps
// (wx.login, the face step) are played by the WeChat stand-in, whose address is the `wx` query
// parameter (default http://127.0.0.1:8701). Inside a mini-program web-view, pass `?code=` from
// wx.login() instead.

const API = "/miniapp/v1";
const params = new URLSearchParams(location.search);
const WX = params.get("wx") || localStorage.getItem("wx") || "http://127.0.0.1:8701";
localStorage.setItem("wx", WX);

const view = document.getElementById("view");
const title = document.getElementById("title");
const backButton = document.getElementById("back");
const inboxButton = document.getElementById("inbox-button");

const state = {
  token: sessionStorage.getItem("token"),
  openid: sessionStorage.getItem("openid"),
};

// ------------------------------------------------------------------ helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else if (value !== false && value != null) el.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child != null) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function toast(text) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 3500);
}

class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }
}

async function api(path, { method = "GET", json, form, raw } = {}) {
  const headers = {};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  const response = await fetch(API + path, { method, headers, body });
  if (raw && response.ok) return response;
  const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    if (response.status === 401) logout();
    throw new ApiError(data, response.status);
  }
  return data;
}

async function phone(path, body = {}) {
  // What happens on the phone itself, played by the WeChat stand-in (development only).
  const response = await fetch(`${WX}/__emulator__/${path}`, { method: "POST", body: JSON.stringify(body) });
  return response.json();
}

function guard(action) {
  return async (event) => {
    event?.preventDefault?.();
    const button = event?.submitter || event?.currentTarget;
    if (button && "disabled" in button) button.disabled = true;
    try {
      await action(event);
    } catch (error) {
      toast(error.message);
    } finally {
      if (button && "disabled" in button) button.disabled = false;
    }
  };
}

function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function logout() {
  state.token = null;
  sessionStorage.removeItem("token");
  go("#/login");
}

function page(name, back, ...content) {
  title.textContent = name;
  backButton.hidden = !back;
  backButton.onclick = () => go(back);
  inboxButton.hidden = !state.token;
  view.replaceChildren(...content);
}

// ------------------------------------------------------------------ login and identity

async function loginPage() {
  const openid = h("input", { id: "openid", value: state.openid || `o-m-${Math.random().toString(36).slice(2, 10)}` });
  page(
    "登录",
    null,
    h(
      "div",
      { class: "card" },
      h("h2", {}, "区外建设工程企业进疆信息报送"),
      h("p", { class: "muted" }, "使用微信登录。开发环境由微信模拟服务完成 wx.login()。"),
      h("label", { for: "openid" }, "微信用户（开发环境 openid）"),
      openid,
      h(
        "button",
        {
          class: "primary",
          id: "login",
          onclick: guard(async () => {
            const code = params.get("code") || (await phone("login", { openid: openid.value })).code;
            const session = await api("/login", { method: "POST", json: { code } });
            state.token = session.access_token;
            state.openid = openid.value;
            sessionStorage.setItem("token", state.token);
            sessionStorage.setItem("openid", state.openid);
            go("#/home");
          }),
        },
        "微信登录",
      ),
    ),
  );
}

async function homePage() {
  const me = await api("/me");
  const identity = me.identity;
  const cards = [];
  if (!identity.verified) {
    const name = h("input", { id: "name", autocomplete: "name" });
    const idNumber = h("input", { id: "id-number", autocomplete: "off" });
    cards.push(
      h(
        "form",
        {
          class: "card",
          id: "verify-form",
          onsubmit: guard(async () => {
            const started = await api("/identity/verifications", {
              method: "POST",
              json: { name: name.value, id_number: idNumber.value },
            });
            // wx.requestFacialVerify(): the face step, here played by the stand-in as passed.
            await phone("facial-verify", { verify_id: started.verify_id, verify_ret: 10000 });
            await api(`/identity/verifications/${started.verify_id}/confirm`, { method: "POST" });
            toast("实名认证通过");
            render();
          }),
        },
        h("h2", {}, "实名认证"),
        h("p", { class: "muted" }, "填写姓名和身份证号后进行微信人脸核身。"),
        h("label", { for: "name" }, "姓名"),
        name,
        h("label", { for: "id-number" }, "身份证号"),
        idNumber,
        h("button", { class: "primary", type: "submit", id: "verify" }, "开始人脸核身"),
      ),
    );
  } else {
    cards.push(
      h("div", { class: "card", id: "identity" }, h("h2", {}, `${identity.name}（已实名认证）`),
        h("p", { class: "muted" }, identity.id_number)),
    );
  }
  const code = h("input", { id: "invitation-code", placeholder: "企业发来的邀请码" });
  cards.push(
    h(
      "form",
      {
        class: "card",
        onsubmit: guard(async () => {
          const accepted = await api("/invitations/accept", { method: "POST", json: { code: code.value.trim() } });
          toast(`已接受${accepted.enterprise?.name || "企业"}的邀请`);
          render();
        }),
      },
      h("h2", {}, "接受邀请"),
      h("label", { for: "invitation-code" }, "邀请码"),
      code,
      h("button", { class: "secondary", type: "submit", id: "accept" }, "接受邀请"),
    ),
  );
  if (me.may_file_for.length) {
    cards.push(
      h(
        "div",
        { class: "card", id: "enterprises" },
        h("h2", {}, "代为报送的企业"),
        me.may_file_for.map((e) =>
          h("div", { class: "list-item" }, h("span", {}, e.name),
            h("button", { class: "secondary", style: "width:auto;margin:0", onclick: () => go(`#/enterprise/${e.id}`) }, "办理")),
        ),
      ),
    );
  }
  cards.push(h("button", { class: "secondary", onclick: logout }, "退出登录"));
  page("我的", null, ...cards);
  refreshUnread();
}

// ------------------------------------------------------------------ filings

const ENTERPRISE_TYPES = [
  ["construction", "施工企业"],
  ["supervision", "监理企业"],
  ["survey", "勘察企业"],
  ["design", "设计企业"],
  ["quality_testing", "工程质量检测机构"],
];

async function enterprisePage(enterpriseId) {
  const list = await api(`/enterprises/${enterpriseId}/filings`);
  const type = h("select", { id: "enterprise-type" }, ENTERPRISE_TYPES.map(([v, l]) => h("option", { value: v }, l)));
  page(
    "报送记录",
    "#/home",
    h(
      "div",
      { class: "card" },
      h("h2", {}, "首次信息报送"),
      h("label", { for: "enterprise-type" }, "企业类型"),
      type,
      h(
        "button",
        {
          class: "primary",
          id: "open-first-filing",
          onclick: guard(async () => {
            const filing = await api(`/enterprises/${enterpriseId}/filings`, {
              method: "POST",
              json: { business: "first_filing", enterprise_type: type.value },
            });
            go(`#/filing/${enterpriseId}/${filing.id}`);
          }),
        },
        "开始办理",
      ),
    ),
    h(
      "div",
      { class: "card" },
      h("h2", {}, "查询进疆信息报送记录"),
      list.items.length
        ? list.items.map((f) =>
            h("div", { class: "list-item" }, h("span", {}, `${f.business_label} ${f.reference}`),
              h("a", { href: `#/${f.status === "draft" ? "filing" : "result"}/${enterpriseId}/${f.id}` },
                h("span", { class: `status ${f.status}` }, f.status_label))),
          )
        : h("p", { class: "muted" }, "暂无记录"),
    ),
  );
}

async function filingPage(enterpriseId, filingId, mode = sessionStorage.getItem("mode") || "chat") {
  const base = `/enterprises/${enterpriseId}/filings/${filingId}`;
  const chat = h("div", { id: "chat" });
  const quick = h("div", { id: "quick" });
  const uploads = h("div", { id: "uploads" });
  const input = h("input", { type: "text", id: "message", placeholder: "直接说，如：注册资本5000万元，2003年6月1日成立", autocomplete: "off" });
  const progress = h("div", { class: "progress" }, h("div", { style: "width:0" }));

  const say = (who, text) => {
    chat.append(h("div", { class: `bubble ${who}` }, text));
    window.scrollTo(0, document.body.scrollHeight);
  };

  const show = (reply) => {
    say("server", reply.reply);
    const done = reply.progress?.done || 0;
    const total = reply.progress?.total || 1;
    progress.firstChild.style.width = `${Math.round((100 * done) / total)}%`;
    quick.replaceChildren(
      ...(reply.question.quick_replies || []).map((text) =>
        h("button", { type: "button", onclick: () => send(text) }, text),
      ),
    );
    uploads.replaceChildren(...uploadControls(reply));
    if (reply.status === "submitted") go(`#/result/${enterpriseId}/${filingId}`);
  };

  const send = guard(async (text) => {
    const message = typeof text === "string" ? text : input.value.trim();
    if (!message) return;
    input.value = "";
    say("user", message);
    show(await api(`/filings/${filingId}/messages`, { method: "POST", json: { text: message } }));
  });

  const uploadControls = (reply) => {
    const controls = [];
    if (reply.question.kind === "attachment") {
      const file = h("input", { type: "file", id: "attachment-file", accept: "image/jpeg,image/png,application/pdf" });
      controls.push(
        h("div", { class: "upload" }, file,
          h("button", {
            type: "button", id: "attachment-upload",
            onclick: guard(async () => {
              if (!file.files.length) throw new Error("请先选择文件");
              const form = new FormData();
              form.append("kind", reply.question.attachment);
              form.append("file", file.files[0]);
              await api(`${base}/attachments`, { method: "POST", form });
              show(await api(`/filings/${filingId}/messages`));
            }),
          }, "上传")),
      );
    }
    if (reply.question.kind === "ready") {
      const link = h("a", { class: "button", id: "letter-link", hidden: true }, "打开承诺书 PDF");
      const photos = h("input", { type: "file", id: "letter-photos", accept: "image/jpeg,image/png", multiple: true });
      controls.push(
        h("button", {
          type: "button", class: "secondary", id: "letter-download",
          onclick: guard(async () => {
            const response = await api(`${base}/commitment-letter`, { raw: true });
            const blob = await response.blob();
            link.href = URL.createObjectURL(blob);
            link.download = "企业诚信守法承诺书.pdf";
            link.hidden = false;
            link.textContent = `打开承诺书 PDF（${Math.ceil(blob.size / 1024)} KB）`;
          }),
        }, "下载承诺书"),
        link,
        h("label", { for: "letter-photos" }, "签字盖章后拍照上传（可多页）"),
        h("div", { class: "upload" }, photos,
          h("button", {
            type: "button", id: "letter-photos-upload",
            onclick: guard(async () => {
              if (!photos.files.length) throw new Error("请先选择承诺书各页照片");
              const form = new FormData();
              for (const page of photos.files) form.append("file", page);
              const filing = await api(`${base}/commitment-letter/photos`, { method: "POST", form });
              toast(`已合成承诺书 PDF（${filing.attachment.source_pages.length} 页）`);
            }),
          }, "上传照片")),
      );
    }
    return controls;
  };

  const stepView = async () => {
    // 逐项填写: one question at a time (GET /next, POST /answers).
    const next = await api(`/filings/${filingId}/next`);
    if (next.status === "ready") {
      sessionStorage.setItem("mode", "chat");
      return filingPage(enterpriseId, filingId, "chat");
    }
    const step = next.step;
    const value = h("input", { id: "answer", value: step.current && typeof step.current !== "object" ? step.current : "" });
    return h(
      "form",
      {
        class: "card",
        onsubmit: guard(async () => {
          await api(`/filings/${filingId}/answers`, { method: "POST", json: { field: step.path, value: value.value } });
          view.replaceChildren(tabs, await stepView());
        }),
      },
      h("p", { class: "muted" }, `${step.section_label} · ${next.progress.done}/${next.progress.total}`),
      h("label", { for: "answer" }, step.prompt),
      step.type === "attachment" ? h("p", {}, "附件请在“对话”中上传") : value,
      step.example ? h("p", { class: "muted" }, `例如：${step.example}`) : null,
      (step.options || []).length <= 12
        ? h("div", { id: "quick" }, (step.options || []).map((o) => h("button", { type: "button", onclick: () => (value.value = o.label) }, o.label)))
        : null,
      h("button", { class: "primary", type: "submit" }, "下一项"),
    );
  };

  const tabs = h(
    "div",
    { class: "tabs" },
    h("button", { class: mode === "chat" ? "on" : "", onclick: () => { sessionStorage.setItem("mode", "chat"); filingPage(enterpriseId, filingId, "chat"); } }, "对话填写"),
    h("button", { id: "step-mode", class: mode === "step" ? "on" : "", onclick: () => { sessionStorage.setItem("mode", "step"); filingPage(enterpriseId, filingId, "step"); } }, "逐项填写"),
  );

  if (mode === "step") {
    page("逐项填写", `#/enterprise/${enterpriseId}`, tabs, await stepView());
    return;
  }
  page(
    "对话填写",
    `#/enterprise/${enterpriseId}`,
    tabs,
    progress,
    chat,
    h("div", { id: "composer" }, uploads, quick,
      h("form", { onsubmit: (event) => { event.preventDefault(); send(); } }, input, h("button", { type: "submit", id: "send" }, "发送"))),
  );
  show(await api(`/filings/${filingId}/messages`));
}

async function resultPage(enterpriseId, filingId) {
  const filing = await api(`/enterprises/${enterpriseId}/filings/${filingId}`);
  page(
    "办理结果",
    `#/enterprise/${enterpriseId}`,
    h(
      "div",
      { class: "card result", id: "result" },
      h("p", { class: "muted" }, `${filing.business_label} ${filing.reference}`),
      h("p", { class: `big status ${filing.status}` }, filing.status_label),
      filing.reasons.length ? h("ul", {}, filing.reasons.map((r) => h("li", {}, r))) : null,
    ),
    h("button", { class: "secondary", onclick: () => go("#/inbox") }, "查看消息"),
  );
}

async function inboxPage() {
  const inbox = await api("/notifications");
  page(
    "消息",
    "#/home",
    h(
      "div",
      { class: "card", id: "inbox" },
      inbox.items.length
        ? inbox.items.map((n) => h("div", { class: "list-item" }, h("div", {}, h("strong", {}, n.title), h("p", { class: "muted" }, n.body))))
        : h("p", { class: "muted" }, "暂无消息"),
    ),
  );
  refreshUnread(inbox.unread);
}

async function refreshUnread(known) {
  const unread = known ?? (await api("/notifications?unread=true").catch(() => ({ unread: 0 }))).unread;
  document.getElementById("unread").textContent = unread ? String(unread) : "";
}

// ------------------------------------------------------------------ routing

inboxButton.onclick = () => go("#/inbox");

async function render() {
  const [, name, ...args] = location.hash.split("/");
  if (!state.token) return loginPage();
  try {
    if (name === "enterprise") return await enterprisePage(...args);
    if (name === "filing") return await filingPage(...args);
    if (name === "result") return await resultPage(...args);
    if (name === "inbox") return await inboxPage();
    return await homePage();
  } catch (error) {
    toast(error.message);
  }
}

window.addEventListener("hashchange", render);
render();
