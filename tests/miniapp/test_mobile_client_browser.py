"""The reference mobile client at /m/ in a real headless Chromium: a whole first filing, login to approved.

The app is served on a free loopback port; the browser plays the clerk on a phone-sized screen and
reaches the WeChat stand-in for the phone's own steps (wx.login, the face step). Screenshots of each
stage land in ``artifacts/screenshots/`` (ignored by git) for people to look at after a run.
"""

from __future__ import annotations

import io
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait
from werkzeug.serving import make_server

from tests.api.flows import LICENCE_SENTENCE, OFFICE_SENTENCE, letter_photo, registry_agrees
from tests.factories import make_id_number, pdf_bytes

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Generous: the shared CI machine may be slow; a wait ends as soon as its condition holds.
WAIT_SECONDS = 60

pytestmark = pytest.mark.skipif(
    not (Path(CHROMEDRIVER).exists() and Path(CHROMIUM).exists()),
    reason="needs Debian's chromium and chromium-driver (installed by .ci/run)",
)


@pytest.fixture
def live_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN"):
        options.add_argument(argument)
    options.add_argument("--window-size=390,844")  # a phone's screen
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    yield driver
    driver.quit()


class Clerk:
    """The clerk's hands and eyes in the browser."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver
        self.wait = WebDriverWait(driver, WAIT_SECONDS)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def find(self, css: str):
        return self.wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def click(self, css: str) -> None:
        self.wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, css))).click()

    def type(self, css: str, text: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def shot(self, name: str) -> None:
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))

    def server_said(self) -> list[str]:
        return [b.text for b in self.driver.find_elements(By.CSS_SELECTOR, ".bubble.server")]

    def _after_reply(self, before: int) -> str:
        try:
            self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".bubble.server")) > before)
        except TimeoutException:
            raise AssertionError(f"no reply; toast: {self.driver.find_element(By.ID, 'toast').text}") from None
        return self.server_said()[-1]

    def say(self, text: str) -> str:
        before = len(self.server_said())
        field = self.find("#message")
        field.send_keys(text)
        field.send_keys(Keys.ENTER)
        return self._after_reply(before)

    def tap_reply(self, label: str) -> str:
        before = len(self.server_said())
        self.wait.until(lambda d: any(b.text == label for b in d.find_elements(By.CSS_SELECTOR, "#quick button")))
        next(b for b in self.driver.find_elements(By.CSS_SELECTOR, "#quick button") if b.text == label).click()
        return self._after_reply(before)

    def upload_asked(self, path: Path) -> str:
        before = len(self.server_said())
        self.find("#attachment-file").send_keys(str(path))
        self.click("#attachment-upload")
        return self._after_reply(before)


def _photo(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 1130), "white").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_first_filing_on_the_phone_from_login_to_approved(
    browser, live_url, wechat_emulator, phone, enterprise, make_person, tmp_path
):
    """``phone`` resets the shared stand-in: faults other tests injected must not reach this one."""
    make_person("张建国", employed_by=enterprise.id)
    registry_agrees(enterprise, make_person("刘工", employed_by=enterprise.id))
    invitation = enterprise.post("/api/v1/invitations", json={"role": "filing_contact", "note": "李四"}).json["code"]
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_bytes())
    pages = [_photo(tmp_path / "page1.jpg"), _photo(tmp_path / "page2.jpg")]
    clerk = Clerk(browser)

    browser.get(f"{live_url}/m/?wx={wechat_emulator.url}")
    clerk.find("#login")
    clerk.shot("01-login")
    clerk.click("#login")

    clerk.type("#name", "李四")
    clerk.type("#id-number", make_id_number())
    clerk.click("#verify")
    assert "已实名认证" in clerk.find("#identity").text
    clerk.type("#invitation-code", invitation)
    clerk.click("#accept")
    assert enterprise.name in clerk.find("#enterprises").text
    clerk.shot("02-verified-and-invited")
    clerk.click("#enterprises button")

    Select(clerk.find("#enterprise-type")).select_by_value("construction")
    clerk.click("#open-first-filing")
    opening = clerk.find(".bubble.server").text
    assert enterprise.name in opening and "是否正确" in opening
    clerk.tap_reply("是的")
    reply = clerk.say("注册地安徽，注册地址安徽省合肥市高新区创新大道100号，注册资本伍仟万元，2003年6月1日成立")
    assert "注册资本 5,000 万元" in reply and "成立日期 2003年6月1日" in reply
    reply = clerk.say(
        "法人李德拓，法人身份证11010519750109002X，联系人王小明，联系电话0551-65551234，驻疆地址乌鲁木齐市天山区解放北路8号"
    )
    assert "可跳过" in reply
    clerk.shot("03-conversation")
    for _ in range(3):
        reply = clerk.tap_reply("跳过")
    reply = clerk.say("资质建筑工程施工总承包贰级，证书编号D234023425，有效期至2030年12月31日，发证日期2026年1月10日")
    assert "资质状态" in reply
    reply = clerk.tap_reply("有效")
    assert "安全生产许可证编号" in reply  # a construction enterprise's licence, asked at the question
    reply = clerk.say(LICENCE_SENTENCE)
    assert "还有其他资质吗" in reply
    reply = clerk.tap_reply("没有了")
    assert "进疆负责人" in reply
    clerk.tap_reply("张建国")
    clerk.say("职务进疆负责人，手机13912345678")
    clerk.tap_reply("跳过")
    reply = clerk.say("技术负责人刘工，职称高级工程师，职称证书编号GC2019-001，手机13812345678")
    for answer in ("建筑工程", "15", "一级注册建造师", "皖1342010201812345", "建筑工程"):  # the registered certificate
        if "请上传" in reply:
            break
        reply = clerk.say(answer)
    assert "驻疆场所证明材料" in reply  # the 驻疆机构 cannot be saved before its premises proof
    reply = clerk.upload_asked(scan)
    assert "驻疆机构名称" in reply
    reply = clerk.say(OFFICE_SENTENCE)
    for _ in range(2):  # 租赁到期日期, 办公电话
        reply = clerk.tap_reply("跳过")
    for _ in range(10):
        if "请上传" not in reply:
            break
        reply = clerk.upload_asked(scan)
    assert reply.startswith("请核对") or "请核对" in reply, reply
    clerk.shot("04-review")
    reply = clerk.tap_reply("确认无误")
    assert "同意承诺并提交" in reply

    draft = enterprise.get("/api/v1/filings?status=draft").json["items"][0]
    pages[0].write_bytes(letter_photo(enterprise, draft["id"], tmp_path))  # the printed letter, QR code and all
    clerk.click("#letter-download")
    clerk.wait.until(lambda d: "KB" in d.find_element(By.ID, "letter-link").text)
    clerk.find("#letter-photos").send_keys("\n".join(str(p) for p in pages))
    clerk.click("#letter-photos-upload")
    clerk.wait.until(lambda d: "已合成承诺书 PDF（2 页）" in d.find_element(By.ID, "toast").text)
    clerk.shot("05-letter")
    next(b for b in browser.find_elements(By.CSS_SELECTOR, "#quick button") if b.text == "同意承诺并提交").click()

    assert "审批通过" in clerk.find("#result").text
    clerk.shot("06-approved")
    clerk.click("#inbox-button")
    assert "审批通过" in clerk.find("#inbox").text
    clerk.shot("07-inbox")
    filing = enterprise.get("/api/v1/filings?status=approved").json["items"]
    assert len(filing) == 1
