"""A caller who dials the hotline over real HTTP, the way Twilio does, and tells what they heard.

Requests carry Twilio's real parameter names and a valid X-Twilio-Signature; the caller follows
the TwiML it gets back: a key goes to the <Gather> action, silence follows the <Redirect>.
What is heard is reported as catalog keys and languages, found by matching the spoken text.
"""

from __future__ import annotations

import random
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from twilio.request_validator import RequestValidator

from ivr.flow import Prompt
from ivr.reachability import reachable_prompts


@dataclass
class Heard:
    status: int
    xml: str
    says: list[tuple[str, str | None]] = field(default_factory=list)  # (text, language)
    plays: list[str] = field(default_factory=list)  # <Play> URLs, in order
    keys: list[str] = field(default_factory=list)  # catalog keys recognised, in order
    langs: list[str] = field(default_factory=list)  # catalog language of each key
    gather_action: str | None = None
    gather: dict[str, str] = field(default_factory=dict)  # the <Gather>'s attributes
    redirect: str | None = None
    hung_up: bool = False

    @property
    def listening(self) -> bool:
        return self.gather_action is not None and self.redirect is not None

    @property
    def without_origin(self) -> str:
        """The TwiML with each URL's scheme and host:port cut, for checks that nothing leaks.

        Paths and queries stay, since a secret could hide there; the origin goes, because the
        test server's random port ("...:20271") can contain any short string such as a year.
        """
        return _ORIGIN.sub("", self.xml)


_ORIGIN = re.compile(r"https?://[^/\s\"'<>]+")


def spoken_texts(hotline) -> dict[str, tuple[str, str]]:
    """Every text the hotline can say, mapped to its (catalog key, language)."""
    prompts = reachable_prompts(hotline.flow)
    off_menus = (
        "voice.outage.info",
        "voice.sms_steps.already_sent",
        "voice.sms_steps.not_textable",
        "voice.remind.limit",
        "voice.reminder_call.voicemail",
    )
    for extra in off_menus:  # said off the menus
        prompts |= {Prompt(extra, lang) for lang in hotline.flow.languages}
    return {hotline.speaker.text(p): (p.key, p.lang) for p in prompts}


class Caller:
    def __init__(
        self,
        base_url: str,
        auth_token: str,
        texts: dict[str, tuple[str, str]],
        number: str | None = None,
        audio=None,
    ):
        self.base_url = base_url.rstrip("/")
        self.validator = RequestValidator(auth_token)
        self.number = number or f"+3361{random.randrange(10**7):07d}"  # always a French mobile
        self.call_sid = "CA" + uuid.uuid4().hex
        self.last: Heard | None = None
        self.session = requests.Session()
        self._texts = texts
        self.audio = audio

    # --- what Twilio sends ------------------------------------------------------------------------

    def form(self, **extra: str) -> dict[str, str]:
        return {
            "AccountSid": "AC" + "0" * 32,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "CallStatus": "in-progress",
            "Called": "+33100000000",
            "Caller": self.number,
            "Direction": "inbound",
            "From": self.number,
            "To": "+33100000000",
            **extra,
        }

    def post(self, path_or_url: str, form: dict[str, str], *, sign: bool = True) -> Heard:
        url = urljoin(self.base_url + "/", path_or_url)
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = self.validator.compute_signature(url, form)
        response = self.session.post(url, data=form, headers=headers, timeout=10)
        heard = self.parse(response.status_code, response.text)
        if response.status_code == 200:
            self.last = heard
        return heard

    # --- what a caller does -----------------------------------------------------------------------

    def dial(self) -> Heard:
        return self.post("/voice/incoming", self.form(CallStatus="ringing"))

    def press(self, digits: str) -> Heard:
        assert self.last and self.last.gather_action, "nothing is listening for keys"
        return self.post(self.last.gather_action, self.form(Digits=digits, FinishedOnKey=""))

    def type(self, keys: str) -> Heard:
        """Press keys one by one as Twilio's <Gather> collects them: its finishOnKey (default
        "#") ends the entry at once and is posted as FinishedOnKey, never in Digits; numDigits
        ends it at the N-th digit. An empty entry reaches the action only with
        actionOnEmptyResult; otherwise Twilio follows the Redirect. Keys after the end are lost.
        """
        assert self.last and self.last.gather_action, "nothing is listening for keys"
        gather = self.last.gather
        finish = gather.get("finishOnKey", "#")
        wanted = int(gather.get("numDigits", "0")) or None
        typed, finished_on = "", ""
        for key in keys:
            if finish and key == finish:
                finished_on = key
                break
            typed += key
            if wanted and len(typed) == wanted:
                break
        if not typed and gather.get("actionOnEmptyResult") != "true":
            return self.silence()
        form = self.form(Digits=typed, FinishedOnKey=finished_on)
        return self.post(self.last.gather_action, form)

    def silence(self) -> Heard:
        """Press nothing: Twilio skips the Gather's action and follows the Redirect."""
        assert self.last and self.last.redirect, "no redirect after the gather"
        return self.post(self.last.redirect, self.form())

    def hang_up(self) -> Heard:
        return self.post("/voice/status", self.form(CallStatus="completed", CallDuration="42"))

    # --- reading TwiML ----------------------------------------------------------------------------

    def audio_urls(self) -> dict[str, tuple[str, str]]:
        """Each built audio file's path -> the (catalog key, language) whose text it says."""
        if self.audio is None:
            return {}
        pairs = (
            (self.audio.url(lang, text), (key, lang)) for text, (key, lang) in self._texts.items()
        )
        return {urlsplit(url).path: key_lang for url, key_lang in pairs if url}

    def parse(self, status: int, body: str) -> Heard:
        heard = Heard(status=status, xml=body)
        if status != 200:
            return heard
        root = ET.fromstring(body)
        urls = self.audio_urls() if "<Play" in body else {}
        assert root.tag == "Response"
        for element in root.iter():
            if element.tag == "Say":
                text = element.text or ""
                heard.says.append((text, element.get("language")))
                key, lang = self._texts.get(text, ("?", "?"))
                heard.keys.append(key)
                heard.langs.append(lang)
            elif element.tag == "Play":
                url = element.text or ""
                # Twilio takes a URL in <Play>: a path fails the call at the first prompt.
                assert urlsplit(url).scheme in ("http", "https"), f"<Play> of a path: {url}"
                heard.plays.append(url)
                key, lang = urls.get(urlsplit(url).path, ("?", "?"))
                heard.keys.append(key)
                heard.langs.append(lang)
            elif element.tag == "Gather":
                heard.gather_action = element.get("action")
                # Absolute, as the studio's: not every Twilio-compatible platform resolves a path.
                action = heard.gather_action or ""
                assert urlsplit(action).scheme in ("http", "https"), f"<Gather> to a path: {action}"
                heard.gather = dict(element.attrib)
            elif element.tag == "Redirect":
                heard.redirect = element.text
            elif element.tag == "Hangup":
                heard.hung_up = True
        return heard
