"""The chat widget in real headless Chromium, on the demo page served by a real uvicorn server."""

from __future__ import annotations

import httpx
import pytest

from tests.server.conftest import FOLLOW_UP, KAWASAKI, QUOKKA, XSS, ZEBRAFINCH, bearer

WIDGET = "guideqa-chat"
SHADOW = "document.querySelector('guideqa-chat').shadowRoot"


class Demo:
    """One browser page on the demo page, recording dialogs and console problems."""

    def __init__(self, browser, server, width: int = 1100, height: int = 900, **context_options) -> None:
        self.server = server
        self.context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.problems: list[str] = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda exc: self.problems.append(str(exc)))
        self.page.on("console", lambda msg: self.problems.append(msg.text) if msg.type == "error" else None)
        self.page.goto(server.url + "/")
        self.page.locator(f"{WIDGET} textarea").wait_for()
        self.page.locator(f"{WIDGET} .panel").wait_for(state="visible")

    def ask(self, question: str, turns_after: int) -> None:
        box = self.page.locator(f"{WIDGET} textarea")
        box.fill(question)
        box.press("Enter")
        self.page.locator(f"{WIDGET} .turn .answer[aria-busy='false']").nth(turns_after - 1).wait_for(timeout=60_000)

    def shadow(self, expression: str):
        return self.page.evaluate(f"(() => {{ const root = {SHADOW}; return {expression}; }})()")

    @property
    def key(self) -> str:
        return self.page.locator("script[data-key]").get_attribute("data-key")

    def session(self) -> str | None:
        return self.page.evaluate("document.querySelector('guideqa-chat').guideqa.session")

    def api(self, method: str, path: str) -> httpx.Response:
        with httpx.Client(base_url=self.server.url) as http:
            return http.request(method, path, headers=bearer(self.key, self.server.url))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def demo(browser, demo_server):
    page = Demo(browser, demo_server)
    yield page
    page.close()


def test_ask_stream_cite_and_follow_up(demo, tmp_path):
    page = demo.page
    demo.ask(KAWASAKI, 1)
    statements = page.locator(f"{WIDGET} .turn .statement")
    assert statements.count() >= 3
    assert page.locator(f"{WIDGET} .turn .direct").first.inner_text().strip()
    assert page.locator(f"{WIDGET} .badge.ok", has_text="Dose verified").count() >= 1
    assert page.locator(f"{WIDGET} .refs li").count() >= 1

    session_id = demo.session()
    turns = demo.api("GET", f"/v1/sessions/{session_id}").json()["turns"]
    answer = turns[0]["answer"]
    # What was understood is shown in one line, as the API states it.
    understood = page.locator(f"{WIDGET} .turn .frame").first.inner_text().strip()
    assert understood == "Answering for: " + answer["question_frame"]["description"] and "Kawasaki" in understood
    shown = [s.strip() for s in statements.all_inner_texts()]
    expected = [st["text"] for sec in answer["sections"] for st in sec["statements"]]
    assert all(text.startswith(want) for text, want in zip(shown, expected)) and len(shown) == len(expected)

    cite = page.locator(f"{WIDGET} .direct button.cite").first
    n = int(cite.inner_text())
    cite.click()
    popover = page.locator(f"{WIDGET} .popover")
    popover.wait_for(state="visible")
    citation = next(c for c in answer["citations"] if c["n"] == n)
    assert popover.locator(".quote").inner_text().strip() == citation["quote"].strip()
    assert citation["title"] in popover.locator("h3").inner_text()
    assert str(citation["year"]) in popover.inner_text()
    assert cite.get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(tmp_path / "widget-popover.png"), full_page=True)
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden")
    assert demo.shadow("root.activeElement && root.activeElement.classList.contains('cite')")

    demo.ask(FOLLOW_UP, 2)
    assert demo.session() == session_id
    turns = demo.api("GET", f"/v1/sessions/{session_id}").json()["turns"]
    assert [t["question"] for t in turns] == [KAWASAKI, FOLLOW_UP]
    assert page.locator(f"{WIDGET} .turn").count() == 2
    page.screenshot(path=str(tmp_path / "widget.png"), full_page=True)
    assert (tmp_path / "widget.png").stat().st_size > 10_000
    assert not demo.problems and not demo.dialogs


def test_passage_with_html_renders_as_inert_text(demo):
    page = demo.page
    # a function expression, so that Playwright runs it (it would call a bare `alert = ...` assignment's value)
    page.evaluate("() => { window.__xss = 0; window.alert = () => { window.__xss += 1; }; }")
    demo.ask(ZEBRAFINCH, 1)
    assert XSS in page.locator(f"{WIDGET} .turn .direct").inner_text()
    for cite in page.locator(f"{WIDGET} .turn button.cite").all()[:3]:
        cite.click()
        page.locator(f"{WIDGET} .popover").wait_for(state="visible")
    page.wait_for_timeout(300)
    assert XSS in demo.shadow("root.textContent")
    assert demo.shadow("root.querySelectorAll('img, script, iframe, [onerror]').length") == 0
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("window.__xss") == 0 and not demo.dialogs


def test_a_sources_own_bracketed_numbers_are_not_citation_buttons(demo):
    page = demo.page
    demo.ask(QUOKKA, 1)
    answer = demo.api("GET", f"/v1/sessions/{demo.session()}").json()["turns"][0]["answer"]
    numbers = {c["n"] for c in answer["citations"]}
    buttons = [int(b) for b in page.locator(f"{WIDGET} .turn button.cite").all_inner_texts()]
    assert buttons and set(buttons) <= numbers  # "[9,10]", "[2]" and "[3]" of the source are no buttons
    direct = page.locator(f"{WIDGET} .turn .direct")
    assert "(9,10)" in direct.inner_text() and "(2)" in direct.inner_text()
    assert direct.locator("button.cite").count() == len(answer["summary"].split("]")) - 1
    assert not demo.problems


def test_narrow_phone_screen_has_no_horizontal_overflow(browser, demo_server, tmp_path):
    demo = Demo(browser, demo_server, width=360, height=740)
    try:
        page = demo.page
        demo.ask(KAWASAKI, 1)
        page.locator(f"{WIDGET} .direct button.cite").first.click()
        page.locator(f"{WIDGET} .popover").wait_for(state="visible")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert demo.shadow("[...root.querySelectorAll('.panel, .log, .turn, .popover, form')]"
                           ".every(e => e.scrollWidth <= e.clientWidth + 1)")
        box = page.locator(f"{WIDGET} .popover").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        ask = page.locator(f"{WIDGET} button[type=submit]").bounding_box()
        assert ask["x"] + ask["width"] <= 360
        page.screenshot(path=str(tmp_path / "widget-360.png"), full_page=True)
    finally:
        demo.close()


def test_keyboard_aria_copy_and_new_conversation(browser, demo_server):
    demo = Demo(browser, demo_server)
    demo.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_server.url)
    try:
        page = demo.page
        assert demo.shadow("root.querySelector('[role=region]').getAttribute('aria-labelledby') !== null")
        assert demo.shadow("root.querySelector('[role=log]').getAttribute('aria-live')") == "polite"
        assert demo.shadow("root.querySelector('[role=status]') !== null")
        page.locator(f"{WIDGET} textarea").focus()
        page.keyboard.type(KAWASAKI)
        page.keyboard.press("Enter")
        page.locator(f"{WIDGET} .answer[aria-busy='false']").wait_for(timeout=60_000)

        page.locator(f"{WIDGET} button.cite").first.focus()
        page.keyboard.press("Enter")
        page.locator(f"{WIDGET} .popover").wait_for(state="visible")
        assert demo.shadow("root.activeElement && root.activeElement.classList.contains('popover')")
        assert demo.shadow("root.querySelector('.popover').getAttribute('role')") == "dialog"
        page.keyboard.press("Escape")
        page.locator(f"{WIDGET} .popover").wait_for(state="hidden")

        page.locator(f"{WIDGET} button", has_text="Copy answer").click()
        page.locator(f"{WIDGET} button", has_text="Copied").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert KAWASAKI in copied and "verify against the cited sources" in copied

        session_id = demo.session()
        assert demo.api("GET", f"/v1/sessions/{session_id}").status_code == 200
        page.locator(f"{WIDGET} button", has_text="New conversation").click()
        assert page.locator(f"{WIDGET} .turn").count() == 0 and demo.session() is None
        page.wait_for_timeout(300)
        assert demo.api("GET", f"/v1/sessions/{session_id}").status_code == 404
        assert not demo.problems
    finally:
        demo.close()


def test_theming_with_css_variables_and_isolation_from_host_css(browser, demo_server):
    demo = Demo(browser, demo_server, bypass_csp=True)  # only to let the test inject a host stylesheet
    try:
        page = demo.page
        page.add_style_tag(content="guideqa-chat { --gqa-accent: rgb(1, 2, 3); } button, textarea { display: none !important; }")
        submit = page.locator(f"{WIDGET} button[type=submit]")
        assert submit.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(1, 2, 3)"
        assert submit.is_visible() and page.locator(f"{WIDGET} textarea").is_visible()
    finally:
        demo.close()
