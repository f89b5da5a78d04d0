"""The console in a real browser (Debian's Chromium through Playwright), against the app in
production mode served over real HTTP, with real RQ workers sending SMS to the local Twilio.

Three people call (tests/caller.py), one asks for the steps by SMS, whose delivery fails with
Twilio's 30003; an operator created with `flask operators add` logs in, sees today's calls, the
funnel, the failed delivery counted by its code, and marks Tigrinya reviewed. Every response the
browser got, every export and /metrics are scanned for the phone numbers used: none appears.

``CONSOLE_SCREENSHOTS=docs`` also saves the pictures of docs/console.md there.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import requests

from tests.caller import Caller, spoken_texts
from tests.conftest import AUTH_TOKEN, NOW
from tests.test_simulator_browser import CHROMIUM_ARGS, chromium  # noqa: F401 (a fixture)

PASSWORD = "a long console password"
METRICS_TOKEN = "metrics-token-for-the-browser-test"
NUMBERS = ("+33612345001", "+33612345002", "+33612345003")
WAIT_MS = 15_000


@pytest.fixture
def sms_settings_overrides(tmp_path) -> dict:
    return {"review_dir": tmp_path / "reviews", "metrics_token": METRICS_TOKEN}


def forms_of(number: str) -> list[str]:
    """A number as it could be written: E.164, without +, national (06...), digits spaced."""
    national = "0" + number[3:]
    spaced = " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return [number, number[1:], national, spaced, number[3:]]


def three_calls(world) -> None:
    hotline = world.hotline
    texts = spoken_texts(hotline)
    fr = str(hotline.flow.languages.index("fr") + 1)

    def caller(number: str) -> Caller:
        return Caller(world.url, AUTH_TOKEN, texts, number=number)

    walker = caller(NUMBERS[0])  # to the end of the steps
    walker.dial()
    walker.press(fr)
    walker.press("1")
    for _ in range(6):  # to the last of the 7 steps
        walker.press("1")
    walker.hang_up()
    silent = caller(NUMBERS[1])  # says nothing: goodbye after three misses
    silent.dial()
    for _ in range(3):
        silent.silence()
    silent.hang_up()
    texter = caller(NUMBERS[2])  # asks for the steps by SMS
    texter.dial()
    texter.press(fr)
    texter.press("1")  # the steps
    texter.press("3")  # ... by SMS
    texter.hang_up()


def test_operator_sees_the_counts_and_marks_a_language_reviewed(chromium, sms, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    three_calls(sms)
    sms.work()  # the two SMS of the steps go to the local Twilio
    assert len(sms.fake.created) == 2
    for message in sms.fake.created:
        assert sms.fake.send_status(message["sid"], "undelivered", error_code=30003) == 200

    added = sms.app.test_cli_runner().invoke(
        args=["operators", "add", "amina"], input=PASSWORD + "\n"
    )
    assert added.exit_code == 0, added.output

    bodies: list[str] = []
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def keep(response) -> None:
        try:
            bodies.append(response.text())
        except Exception:  # a redirect has no body to read
            bodies.append("")

    page.on("response", keep)

    # A wrong password first, then the right one.
    page.goto(sms.url + "/console/?lang=en")
    expect(page).to_have_url(re.compile(r"/console/login$"))
    page.fill("input[name=username]", "amina")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("Wrong name or password")
    page.fill("input[name=username]", "amina")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    # Today's calls: three, shown as "<5"; the chart has a bar for this hour.
    expect(page.locator("#calls_by_hour svg")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#calls_by_hour rect.bar.small")).to_have_count(1)
    this_hour = page.locator(f"#calls_by_hour tr:has(th:text-is('{NOW:%H}:00'))")
    expect(this_hour.locator("td").first).to_have_text("<5")
    today = page.locator("#calls_by_day tbody tr").last
    expect(today.locator("td").first).to_have_text("<5")
    # The funnel: the language menu, the main menu, the steps to their end, the SMS asked.
    funnel = page.locator("#funnel")

    def calls_at(place: str):  # a funnel row: stage, place, calls, share
        return funnel.locator(f"tr:has(td:text-is('{place}'))").locator("td").nth(1)

    for place in ("language", "main", "steps.1", "steps.7", "sms_sent"):
        expect(calls_at(place)).to_have_text("<5")
    expect(calls_at("remind_done")).to_have_text("0")
    endings = page.locator("#endings")
    expect(endings.locator("tr", has_text="goodbye after misses")).to_contain_text("<5")
    if target := os.environ.get("CONSOLE_SCREENSHOTS"):
        page.screenshot(path=f"{target}/console-calls.png", full_page=True)

    # SMS: the failed delivery, counted by Twilio's code.
    page.click("nav >> text=SMS")
    errors_table = page.locator("#sms_errors")
    expect(errors_table.locator("tr", has_text="30003")).to_contain_text("unreachable")

    # In French, on a phone's screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(sms.url + "/console/?lang=fr")
    expect(page.locator("#calls_by_hour h2")).to_contain_text("Appels du jour, par heure")
    width = page.evaluate(
        "document.querySelector('#calls_by_hour svg').getBoundingClientRect().width"
    )
    assert width <= 390
    if target := os.environ.get("CONSOLE_SCREENSHOTS"):
        page.screenshot(path=f"{target}/console-phone-fr.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(sms.url + "/console/content?lang=en")

    # Content: Tigrinya is a draft; its review page; mark it reviewed.
    row = page.locator("#languages tr", has_text="(ti)")
    expect(row.locator(".status-draft")).to_have_text("draft")
    row.locator("a", has_text="Review").click()
    expect(page.locator("table.review")).to_contain_text(
        sms.hotline.content.raw("voice.main.title", "ti")
    )
    page.fill("input[name=reviewer]", "Selam T.")
    page.click("#mark-reviewed")
    expect(page.locator(".proposed")).to_contain_text("ti-reviewed-")
    if target := os.environ.get("CONSOLE_SCREENSHOTS"):
        page.screenshot(path=f"{target}/console-review.png")
    patch = next((tmp_path / "reviews").glob("ti-reviewed-*.patch"))
    check = subprocess.run(
        ["git", "apply", "--check", str(patch)],
        cwd=os.path.dirname(os.path.dirname(__file__)),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    page.goto(sms.url + "/console/audit")
    expect(page.locator("main")).to_contain_text("mark reviewed")

    # Every export and /metrics, fetched with the browser's session and the scrape token.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    for name in re.findall(r"/console/export/(\w+)\.csv", "".join(bodies)):
        answer = requests.get(f"{sms.url}/console/export/{name}.csv", cookies=cookies, timeout=10)
        assert answer.status_code == 200
        bodies.append(answer.text)
    metrics = requests.get(
        sms.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert 'hotline_sms_failed_total{code="30003",reason="unreachable"}' in metrics.text
    bodies.append(metrics.text)

    assert len(bodies) > 10
    seen = "\n".join(bodies)
    for number in NUMBERS:
        for written in forms_of(number):
            assert written not in seen, f"{written} appears in a page, an export or /metrics"
    assert errors == []
