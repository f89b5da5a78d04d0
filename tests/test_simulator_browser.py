"""The simulator in a real browser: Debian's Chromium, driven by Playwright, against the app
served over real HTTP on a real Redis, with a real RQ worker delivering to the local outbox.

A person calls, picks French, walks to the steps, hangs up; texts RAPPEL with a date 40 days on;
moves the clock two weeks; and reads the reminder the worker sent. CI (CI=true) requires Chromium
(.ci/run installs it); elsewhere the test is skipped without it.

``SIMULATOR_SCREENSHOT=docs/simulator.png`` also saves the README's screenshot there.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from app import create_app
from hotline import keys
from hotline.clock import FixedClock, SharedClock
from ivr.flow import Prompt
from ivr.menu import NODES
from tests.conftest import NOW, LiveServer
from wiring.web import web_parts
from wiring.worker import build_worker, build_worker_parts

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NUMBER = "+33612345678"
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def chromium():
    """The system Chromium, launched headless; never a browser download."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("no /usr/bin/chromium here (apt-get install chromium); CI requires it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def simulator(settings, redis):
    """The app in development mode on the tests' fixed "now", shifted by the shared clock."""
    dev = dataclasses.replace(settings, mode="development")
    app = create_app(dev, clock=SharedClock(redis, base=FixedClock(NOW)))
    hotline = web_parts(app)
    with LiveServer(app) as server:
        yield server, hotline


def deliver_queued_sms(hotline) -> None:
    """What `make run`'s worker does: run the queued jobs (SMS go to the local outbox)."""
    parts = build_worker_parts(hotline.settings, hotline.clock)  # the same clock as the app
    build_worker(parts, kind="simple").work(burst=True, logging_level="WARNING")


def test_call_walk_to_the_steps_register_by_sms_and_see_the_reminder(chromium, simulator, tmp_path):
    from playwright.sync_api import expect

    server, hotline = simulator
    said = hotline.speaker.text
    steps = NODES["steps"].steps
    expiry = (NOW + timedelta(days=40)).date()
    typed_date = f"{expiry:%d/%m/%Y}"

    page = chromium.new_page(viewport={"width": 1400, "height": 860})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/simulator")
    page.uncheck("#sound")  # headless Chromium has no voices; the words are in the transcript
    page.fill("#number", NUMBER)
    page.dispatch_event("#number", "change")
    transcript = page.locator("#transcript")
    state = page.locator("#call-state")

    # Call: the language menu, each language in its own language.
    page.click("#call")
    expect(state).to_have_text("Listening", timeout=WAIT_MS)
    expect(transcript).to_contain_text(said(Prompt("voice.language.choose", "fr", (("key", "1"),))))

    # French, then the steps: the first step is said.
    page.click(".key[data-key='1']")
    expect(transcript).to_contain_text(said(Prompt("voice.main.title", "fr")))
    expect(state).to_have_text("Listening")
    page.keyboard.press("1")  # the computer's keyboard works as the keypad
    expect(transcript).to_contain_text(said(Prompt(steps[0], "fr")))
    expect(state).to_have_text("Listening")

    # Stay silent: the Redirect is followed and the hotline says what to do.
    page.click("#silence")
    expect(transcript).to_contain_text(said(Prompt("voice.miss.silence", "fr")))
    expect(state).to_have_text("Listening")

    # Hang up: Twilio's status callback makes the hotline forget the call.
    page.click("#hangup")
    expect(state).to_have_text("Call ended")
    expect(transcript).to_contain_text("You hung up")
    assert _eventually(lambda: not hotline.redis.keys(keys.CALL_STATE.format(sid="*")))

    # Register a reminder by SMS; the confirmation comes back as the webhook's reply.
    thread = page.locator("#thread")
    page.fill("#sms-body", f"RAPPEL {typed_date}")
    page.click("#sms-send")
    confirm = hotline.content.text(
        "sms.remind.confirm",
        "fr",
        date=typed_date,
        reminders=hotline.reminders.reminder_days("fr", expiry, NOW),
    )
    expect(thread).to_contain_text(confirm)

    # One week on, nothing is due; two weeks on, the first reminder (30 days before) is.
    result = page.locator("#clock-result")
    page.click(".clock-buttons [data-days='7']")
    expect(result).to_have_text("Nothing was due.")
    page.click(".clock-buttons [data-days='7']")
    expect(result).to_contain_text("Reminders came due")
    expect(page.locator("#clock-now")).to_contain_text(f"{NOW + timedelta(days=14):%-d %b %Y}")

    deliver_queued_sms(hotline)
    reminder = hotline.reminders.reminder_text("before", "fr", expiry, hotline.clock.now())
    expect(thread.locator(".sms.worker")).to_contain_text(reminder, timeout=WAIT_MS)
    # Counted once really sent, in the page's one time zone (Paris).
    expect(page.locator("#clock-sent")).to_have_text("1 SMS sent to your number since.")
    expect(thread.locator(".sms.worker .meta").last).to_contain_text("Paris time")

    # Calling back: French offered first (1), then to go on where the first call stopped (1),
    # on to the next step. Mid-call, with the SMS thread filled: the picture in the README.
    page.click("#call")
    expect(state).to_have_text("Listening", timeout=WAIT_MS)
    expect(transcript).to_contain_text(said(Prompt("voice.language.other", "fr", (("key", "2"),))))
    page.click(".key[data-key='1']")
    expect(transcript).to_contain_text(said(Prompt("voice.resume.welcome", "fr")))
    expect(state).to_have_text("Listening")
    page.click(".key[data-key='1']")
    expect(transcript).to_contain_text(said(Prompt(steps[0], "fr")))
    expect(state).to_have_text("Listening")
    page.click(".key[data-key='1']")
    expect(transcript).to_contain_text(said(Prompt(steps[1], "fr")))
    expect(state).to_have_text("Listening")
    shot = tmp_path / "simulator.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if target := os.environ.get("SIMULATOR_SCREENSHOT"):
        shutil.copyfile(shot, target)
    page.click("#hangup")

    # An SMS keeps its line breaks (the Arabic help is one command a line).
    white_space = "e => getComputedStyle(e).whiteSpace"
    assert page.eval_on_selector(".sms.worker .text", white_space) == "pre-line"

    # Another number, ending in the same two digits: another phone, an empty thread, and the
    # first number's reminder never shows (the outbox is read by the full number).
    page.fill("#number", "+33799999978")
    page.dispatch_event("#number", "change")
    expect(thread.locator(".sms")).to_have_count(0)
    expect(thread.locator(".empty")).to_have_count(1)
    page.wait_for_timeout(2500)  # one outbox poll later (every 2 s)
    expect(thread.locator(".sms")).to_have_count(0)

    assert errors == []


def _eventually(check, attempts: int = 100) -> bool:
    """Poll a condition the browser brings about asynchronously (no timing asserted)."""
    import time

    for _ in range(attempts):
        if check():
            return True
        time.sleep(0.05)
    return check()
