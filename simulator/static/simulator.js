// The simulator page: plays the caller and the texter the way Twilio does.
//
// Each request Twilio would make goes to POST /simulator/relay, which signs it with the app's
// token and hands it to the real webhook; the TwiML that comes back is followed like Twilio
// follows it: <Say>/<Play> are heard in order, a <Gather> collects keys (numDigits, finishOnKey,
// timeout; a key stops the prompts), a Gather with no key falls through to the next verb (the
// <Redirect>), <Hangup> or the end of the document ends the call. SMS replies come from the
// TwiML; everything the workers send comes from the local outbox (GET /sms/outbox).
"use strict";

(() => {
  const $ = (selector) => document.querySelector(selector);
  const HOTLINE_NUMBER = "+33100000000";
  const ACCOUNT_SID = "AC" + "0".repeat(32);
  const OUTBOX_POLL_MS = 2000;
  const CLOCK_POLL_MS = 30000;

  // --- small helpers ----------------------------------------------------------------------------

  function hex(bytes) {
    const values = crypto.getRandomValues(new Uint8Array(bytes));
    return Array.from(values, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function randomNumber() {
    return "+336" + String(Math.floor(Math.random() * 1e8)).padStart(8, "0");
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The number as logs and the outbox show it: country code and last two digits. */
  function masked(number) {
    return `${number.slice(0, 3)}…${number.slice(-2)}`;
  }

  function pathOf(url) {
    const parsed = new URL(url, window.location.origin);
    return parsed.pathname + parsed.search;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scrollToEnd(list) {
    list.scrollTop = list.scrollHeight;
  }

  const parisTime = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris",
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });

  const realTime = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });

  // --- the relay --------------------------------------------------------------------------------

  /** Post a form to a webhook through the signing relay; the webhook's status, TwiML, and
   * the words of each <Play> URL. */
  async function relay(path, form) {
    const response = await fetch("/simulator/relay", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ path, form }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error || `relay answered ${response.status}`);
    return answer;
  }

  function parseTwiml(body) {
    const doc = new DOMParser().parseFromString(body, "application/xml");
    const root = doc.documentElement;
    if (!root || root.nodeName !== "Response" || doc.querySelector("parsererror")) {
      throw new Error("the webhook did not answer TwiML");
    }
    return root;
  }

  // --- the phone number -------------------------------------------------------------------------

  const numberInput = $("#number");
  numberInput.value = localStorage.getItem("simulator.number") || randomNumber();
  localStorage.setItem("simulator.number", numberInput.value);
  numberInput.addEventListener("change", () => {
    if (numberInput.checkValidity()) {
      localStorage.setItem("simulator.number", numberInput.value);
      sms.seen.clear();
      pollOutbox();
    }
  });

  function myNumber() {
    if (!numberInput.checkValidity() || !numberInput.value) {
      numberInput.focus();
      throw new Error("give a phone number in international form, e.g. +33612345678");
    }
    return numberInput.value;
  }

  // --- the transcript ---------------------------------------------------------------------------

  const transcript = $("#transcript");

  function addToTranscript(node) {
    transcript.querySelector(".empty")?.remove();
    transcript.append(node);
    scrollToEnd(transcript);
    return node;
  }

  function transcriptEvent(text, problem = false) {
    return addToTranscript(element("li", problem ? "event problem" : "event", text));
  }

  function transcriptAction(text) {
    return addToTranscript(element("li", "action", text));
  }

  function transcriptPrompt(heard) {
    const item = element("li", "prompt");
    const meta = element("div", "meta");
    meta.append(element("span", "", "Hotline"));
    if (heard.lang) meta.append(element("span", "lang", heard.lang));
    meta.append(element("span", "", heard.url ? "audio file" : "read by the browser"));
    const replay = element("button", "replay", "▶ play again");
    replay.type = "button";
    replay.addEventListener("click", () => {
      stopPlayback();
      play(heard, item, true);
    });
    meta.append(replay);
    const text = element("div", "text", heard.text);
    text.dir = "auto";
    if (heard.lang) text.lang = heard.lang;
    item.append(meta, text);
    return addToTranscript(item);
  }

  function transcriptTwiml(answer) {
    const details = element("details", "twiml");
    details.append(element("summary", "", `TwiML (HTTP ${answer.status})`));
    details.append(element("pre", "", answer.body));
    const item = element("li", "");
    item.className = "twiml-item";
    item.append(details);
    return addToTranscript(item);
  }

  // --- hearing: audio files, or the browser's voice ---------------------------------------------

  let playback = null; // {stop()} of what is being heard now

  function stopPlayback() {
    if (playback) playback.stop();
    playback = null;
  }

  /** Hear one prompt; resolves when it has been heard, skipped or stopped. */
  function play(heard, item, always = false) {
    const sound = $("#sound").checked;
    if (!sound && !always) return Promise.resolve();
    item.classList.add("speaking");
    return new Promise((resolve) => {
      let done = false;
      let guard = null;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(guard);
        item.classList.remove("speaking");
        if (playback && playback.finish === finish) playback = null;
        resolve();
      };
      // Browsers sometimes never report the end of speech: never wait forever.
      guard = setTimeout(finish, 4000 + heard.text.length * 120);
      if (heard.url) {
        const audio = new Audio(heard.url);
        playback = { finish, stop: () => { audio.pause(); finish(); } };
        audio.addEventListener("ended", finish);
        audio.addEventListener("error", finish);
        audio.play().catch(finish);
      } else if ("speechSynthesis" in window) {
        const utterance = new SpeechSynthesisUtterance(heard.text);
        if (heard.lang) utterance.lang = heard.lang;
        utterance.rate = 0.95;
        utterance.addEventListener("end", finish);
        utterance.addEventListener("error", finish);
        playback = { finish, stop: () => { speechSynthesis.cancel(); finish(); } };
        speechSynthesis.speak(utterance);
      } else {
        finish();
      }
    });
  }

  /** What a <Say> or <Play> says: its text and language, and the file for a <Play>. */
  function heardOf(verb, plays) {
    if (verb.nodeName === "Play") {
      const url = verb.textContent.trim();
      const known = plays[url];
      return {
        url,
        text: known ? known.text : `(audio ${url.split("/").pop()})`,
        lang: known ? known.lang : verb.getAttribute("language") || "",
      };
    }
    return { url: null, text: verb.textContent, lang: verb.getAttribute("language") || "" };
  }

  // --- the call ---------------------------------------------------------------------------------

  const call = {
    sid: null, // Twilio's CallSid while a call is up
    outbound: null, // the ring, when the hotline called this phone (a reminder call)
    turn: 0, // bumped by each new webhook answer: older async work stops
    gather: null, // the <Gather> listening now
    busy: false, // a request is on its way
  };

  function callForm(extra = {}) {
    const number = call.from;
    // A reminder call the hotline placed: it comes from the hotline, to this phone.
    const [from, to] = call.outbound ? [HOTLINE_NUMBER, number] : [number, HOTLINE_NUMBER];
    return {
      AccountSid: ACCOUNT_SID,
      ApiVersion: "2010-04-01",
      CallSid: call.sid,
      CallStatus: "in-progress",
      Called: to,
      Caller: from,
      Direction: call.outbound ? "outbound-api" : "inbound",
      From: from,
      To: to,
      ...extra,
    };
  }

  function setState(text, listening = "") {
    $("#call-state").textContent = text;
    $("#listening").textContent = listening || "\u00a0";
  }

  function showTyped(digits) {
    $("#typed").textContent = digits || "\u00a0";
  }

  function setButtons() {
    const up = call.sid !== null;
    $("#call").disabled = up;
    $("#hangup").disabled = !up;
    $("#silence").disabled = !(up && call.gather);
    numberInput.disabled = up;
    const wantsDate = up && call.gather && call.gather.numDigits >= 8;
    $("#date-entry").hidden = !wantsDate;
  }

  async function dial() {
    let from;
    try {
      from = myNumber();
    } catch (error) {
      transcriptEvent(error.message, true);
      return;
    }
    stopPlayback();
    call.sid = "CA" + hex(16);
    call.from = from;
    call.outbound = null;
    call.gather = null;
    transcript.replaceChildren();
    transcriptEvent(`Calling the hotline from ${from}`);
    setState("Calling…");
    setButtons();
    await request("/voice/incoming", callForm({ CallStatus: "ringing" }));
  }

  /** Post to a voice webhook and follow the TwiML it answers. */
  async function request(path, form) {
    const turn = ++call.turn;
    call.gather = null;
    call.busy = true;
    setButtons();
    let answer;
    try {
      answer = await relay(pathOf(path), form);
    } catch (error) {
      call.busy = false;
      if (turn === call.turn) {
        transcriptEvent(`Could not reach the hotline: ${error.message}`, true);
        endCall("Call failed");
      }
      return;
    }
    call.busy = false;
    if (turn !== call.turn || call.sid === null) return;
    transcriptTwiml(answer);
    if (answer.status !== 200) {
      transcriptEvent(`The webhook answered HTTP ${answer.status}: Twilio would say "an application error has occurred"`, true);
      endCall("Call failed");
      return;
    }
    let root;
    try {
      root = parseTwiml(answer.body);
    } catch (error) {
      transcriptEvent(error.message, true);
      endCall("Call failed");
      return;
    }
    await follow(root, answer.plays || {}, turn);
  }

  /** Run the verbs of a TwiML document in order, as Twilio does. */
  async function follow(root, plays, turn) {
    for (const verb of Array.from(root.children)) {
      if (turn !== call.turn) return;
      switch (verb.nodeName) {
        case "Say":
        case "Play": {
          setState("The hotline is speaking");
          const heard = heardOf(verb, plays);
          await play(heard, transcriptPrompt(heard));
          break;
        }
        case "Gather": {
          const result = await gather(verb, plays, turn);
          if (turn !== call.turn) return;
          if (result) {
            const action = verb.getAttribute("action") || "/voice/incoming";
            await request(action, callForm(result));
            return;
          }
          break; // nothing pressed: Twilio runs the next verb
        }
        case "Redirect":
          await request(verb.textContent.trim(), callForm());
          return;
        case "Pause":
          await sleep(Number(verb.getAttribute("length") || 1) * 1000);
          break;
        case "Hangup":
          endCall("The hotline hung up");
          return;
        default:
          transcriptEvent(`(the simulator skips <${verb.nodeName}>)`);
      }
    }
    if (turn === call.turn) endCall("The call ended (no more instructions)");
  }

  /** Listen for keys like Twilio's <Gather>: the prompts inside play until the first key;
   * resolves with {Digits, FinishedOnKey}, or null when nothing was entered. */
  function gather(verb, plays, turn) {
    const numDigits = Number(verb.getAttribute("numDigits")) || Infinity;
    const finishOnKey = verb.hasAttribute("finishOnKey") ? verb.getAttribute("finishOnKey") : "#";
    const timeout = Number(verb.getAttribute("timeout") || 5);
    return new Promise((resolve) => {
      const listening = {
        numDigits,
        finishOnKey,
        digits: "",
        prompting: true,
        timer: null,
        countdown: null,
        done: false,
      };
      const finish = (result) => {
        if (listening.done) return;
        listening.done = true;
        clearTimeout(listening.timer);
        clearInterval(listening.countdown);
        if (call.gather === listening) call.gather = null;
        setButtons();
        resolve(result);
      };
      const submit = (finishedOnKey) => {
        if (listening.digits === "") {
          // Twilio: the finish key alone, or nothing, is no input: on to the next verb.
          if (finishedOnKey) transcriptAction(`pressed ${finishedOnKey}`);
          finish(null);
        } else {
          transcriptAction(
            finishedOnKey ? `pressed ${listening.digits} ${finishedOnKey}` : `pressed ${listening.digits}`
          );
          finish({ Digits: listening.digits, FinishedOnKey: finishedOnKey });
        }
      };
      const describe = () => {
        const want = numDigits === 1 ? "a key" : numDigits === Infinity ? "keys" : `${numDigits} digits`;
        const finishHint = finishOnKey && numDigits > 1 ? `, then ${finishOnKey}` : "";
        return `Waiting for ${want}${finishHint}`;
      };
      const startWaiting = () => {
        // After the prompts, and again after each key: the timeout runs anew.
        clearTimeout(listening.timer);
        clearInterval(listening.countdown);
        if (!$("#real-timeout").checked) {
          setState("Listening", `${describe()} (no timeout: use “Stay silent”)`);
          return;
        }
        let left = timeout;
        setState("Listening", `${describe()} · ${left} s`);
        listening.countdown = setInterval(() => {
          left -= 1;
          if (left > 0) setState("Listening", `${describe()} · ${left} s`);
        }, 1000);
        listening.timer = setTimeout(() => listening.timeOut(), timeout * 1000);
      };
      listening.restart = () => {
        if (!listening.prompting && !listening.done) startWaiting();
      };
      listening.key = (key) => {
        if (listening.prompting) {
          listening.prompting = false;
          stopPlayback(); // a key stops the prompts
        }
        if (finishOnKey && key === finishOnKey) {
          submit(key);
          return;
        }
        listening.digits += key;
        showTyped(listening.digits);
        if (listening.digits.length >= numDigits) submit("");
        else startWaiting();
      };
      listening.timeOut = () => {
        stopPlayback();
        listening.prompting = false;
        if (listening.digits === "") transcriptAction("stayed silent");
        submit("");
      };
      call.gather = listening;
      showTyped("");
      setButtons();

      (async () => {
        for (const child of Array.from(verb.children)) {
          if (!listening.prompting || listening.done || turn !== call.turn) break;
          if (child.nodeName === "Say" || child.nodeName === "Play") {
            setState("The hotline is speaking", `${describe()} (you can press a key now)`);
            const heard = heardOf(child, plays);
            await play(heard, transcriptPrompt(heard));
          }
        }
        if (turn !== call.turn) {
          finish(null);
          return;
        }
        if (!listening.done && listening.prompting) {
          listening.prompting = false;
          startWaiting();
        }
      })();
    });
  }

  function press(key) {
    const button = document.querySelector(`.key[data-key="${CSS.escape(key)}"]`);
    if (button) {
      button.classList.add("pressed");
      setTimeout(() => button.classList.remove("pressed"), 150);
    }
    if (call.sid === null) return;
    if (!call.gather) {
      showTyped(key);
      return; // Twilio ignores keys while nothing listens
    }
    call.gather.key(key);
  }

  function staySilent() {
    if (call.gather) call.gather.timeOut();
  }

  function endCall(reason) {
    if (call.sid === null) return;
    const ended = callForm({ CallStatus: "completed", CallDuration: "42" });
    call.turn += 1;
    stopPlayback();
    call.sid = null;
    call.gather = null;
    transcriptEvent(reason);
    setState("Call ended");
    showTyped("");
    setButtons();
    // Twilio's status callback: the hotline forgets the call's state (a reminder call's has its
    // own, which also records that the reminder was heard).
    const statusPath = call.outbound ? pathOf(call.outbound.status_callback) : "/voice/status";
    relay(statusPath, ended).catch((error) =>
      transcriptEvent(`Status callback failed: ${error.message}`, true)
    );
  }

  $("#call").addEventListener("click", dial);
  $("#hangup").addEventListener("click", () => {
    transcriptAction("hung up");
    endCall("You hung up");
  });
  $("#silence").addEventListener("click", staySilent);
  $("#real-timeout").addEventListener("change", () => call.gather?.restart());
  document.querySelectorAll(".key").forEach((button) => {
    button.addEventListener("click", () => press(button.dataset.key));
  });
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (/^[0-9*#]$/.test(event.key)) {
      event.preventDefault();
      press(event.key);
    }
  });
  $("#date-entry").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("#date-input").value; // YYYY-MM-DD
    if (!value) return;
    const [year, month, day] = value.split("-");
    for (const key of `${day}${month}${year}`) press(key);
  });

  // --- reminder calls: the hotline calls this phone ----------------------------------------------
  //
  // Without a Twilio account the worker's reminder calls ring here (GET /simulator/rings). The
  // page then plays Twilio's part: the status callbacks, and the call's TwiML fetched with
  // Twilio's machine detection result: a person (Answer) or a voicemail.

  const RING_POLL_MS = 2000;
  let ringing = null;

  function showRing(ring) {
    ringing = ring;
    $("#ring").hidden = ring === null;
    if (ring) $("#ring-text").textContent = `The hotline is calling you (${ring.to})`;
  }

  async function pollRings() {
    if (call.sid !== null || ringing) return;
    try {
      const response = await fetch("/simulator/rings", { cache: "no-store" });
      if (!response.ok) return;
      const rings = (await response.json()).rings || [];
      if (rings.length) showRing(rings[0]);
    } catch {
      // the app restarts: try again at the next poll
    }
  }

  async function takeRing() {
    const ring = ringing;
    showRing(null);
    await fetch(`/simulator/rings/${ring.sid}/taken`, { method: "POST" });
    return ring;
  }

  async function callStatus(ring, status, extra = {}) {
    await relay(pathOf(ring.status_callback), callForm({ CallStatus: status, ...extra }));
  }

  async function pickUp(answeredBy) {
    let from;
    try {
      from = myNumber();
    } catch (error) {
      transcriptEvent(error.message, true);
      return;
    }
    const ring = await takeRing();
    stopPlayback();
    call.sid = ring.sid;
    call.from = from;
    call.outbound = ring;
    call.gather = null;
    transcript.replaceChildren();
    const who = answeredBy === "human" ? "You answered" : "Your voicemail answered";
    transcriptEvent(`${who} a call from the hotline`);
    setButtons();
    await callStatus(ring, "in-progress", { AnsweredBy: answeredBy });
    await request(pathOf(ring.url), callForm({ AnsweredBy: answeredBy }));
  }

  async function decline() {
    const ring = await takeRing();
    call.sid = ring.sid; // for the status callback's form only
    call.from = numberInput.value;
    call.outbound = ring;
    await callStatus(ring, "busy");
    call.sid = null;
    call.outbound = null;
    transcriptEvent("You declined a call from the hotline: it will try again later");
  }

  $("#ring-answer").addEventListener("click", () => pickUp("human"));
  $("#ring-voicemail").addEventListener("click", () => pickUp("machine_end_beep"));
  $("#ring-decline").addEventListener("click", decline);
  setInterval(pollRings, RING_POLL_MS);

  // --- SMS --------------------------------------------------------------------------------------

  const thread = $("#thread");
  const sms = { seen: new Set() };

  function addSms(kind, text, label) {
    thread.querySelector(".empty")?.remove();
    const item = element("li", `sms ${kind}`);
    const meta = element("div", "meta", label);
    const body = element("div", "text", text);
    body.dir = "auto";
    item.append(meta, body);
    thread.append(item);
    scrollToEnd(thread);
    return item;
  }

  $("#sms-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("#sms-body");
    const body = input.value.trim();
    if (!body) return;
    let from;
    try {
      from = myNumber();
    } catch (error) {
      addSms("received", error.message, "Simulator");
      return;
    }
    input.value = "";
    addSms("sent", body, `You (${from})`);
    const sid = "SM" + hex(16);
    const form = {
      AccountSid: ACCOUNT_SID,
      ApiVersion: "2010-04-01",
      Body: body,
      From: from,
      FromCountry: "FR",
      MessageSid: sid,
      NumMedia: "0",
      NumSegments: "1",
      SmsMessageSid: sid,
      SmsSid: sid,
      SmsStatus: "received",
      To: HOTLINE_NUMBER,
      ToCountry: "FR",
    };
    try {
      const answer = await relay("/sms/incoming", form);
      if (answer.status !== 200) {
        addSms("received", `The webhook answered HTTP ${answer.status}`, "Simulator");
        return;
      }
      const root = parseTwiml(answer.body);
      for (const message of Array.from(root.getElementsByTagName("Message"))) {
        const bodyNode = message.getElementsByTagName("Body")[0];
        addSms("received", (bodyNode || message).textContent, "Hotline · reply");
      }
    } catch (error) {
      addSms("received", `Could not reach the hotline: ${error.message}`, "Simulator");
    }
    pollOutbox();
  });

  /** Show every SMS the workers sent to this number (the local outbox), oldest first. */
  async function pollOutbox() {
    if (!numberInput.checkValidity() || !numberInput.value) return;
    let messages;
    try {
      const response = await fetch("/sms/outbox", { cache: "no-store" });
      if (!response.ok) return;
      messages = (await response.json()).messages || [];
    } catch {
      return;
    }
    const mine = masked(numberInput.value);
    for (const message of messages.slice().reverse()) {
      if (message.to !== mine || sms.seen.has(message.sid)) continue;
      sms.seen.add(message.sid);
      const at = message.at ? ` at ${realTime.format(new Date(message.at))} (real time)` : "";
      addSms("received worker", message.body, `Hotline · SMS sent by the worker${at}`);
    }
  }

  setInterval(pollOutbox, OUTBOX_POLL_MS);
  pollOutbox();

  // --- the clock --------------------------------------------------------------------------------

  function showClock(state) {
    const now = new Date(state.now);
    const clockNow = $("#clock-now");
    clockNow.textContent = parisTime.format(now);
    clockNow.dateTime = state.now;
    const days = state.offsetSeconds / 86400;
    let offset = "(real time)";
    if (state.offsetSeconds !== 0) {
      const rounded = Math.abs(days) >= 1 ? `${Math.round(days * 10) / 10} days` : `${Math.round(state.offsetSeconds / 3600)} h`;
      offset = `(${days > 0 ? "+" : ""}${rounded} from real time)`;
    }
    $("#clock-offset").textContent = offset;
  }

  async function clockRequest(method, body) {
    const response = await fetch("/simulator/clock", {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const state = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(state.error || `the clock answered ${response.status}`);
    return state;
  }

  function describeReminders(outcomes) {
    const parts = [];
    const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
    if (outcomes.sent) parts.push(`${plural(outcomes.sent, "reminder", "reminders")} handed to the SMS queue`);
    if (outcomes.waiting) parts.push(`${plural(outcomes.waiting, "registration waits", "registrations wait")} for the sending hours`);
    if (outcomes.purged) parts.push(`${plural(outcomes.purged, "registration", "registrations")} deleted (retention over)`);
    return parts.length ? parts.join("; ") + "." : "Nothing was due.";
  }

  async function moveClock(body) {
    const result = $("#clock-result");
    result.textContent = "Moving the clock…";
    try {
      const state = await clockRequest("POST", body);
      showClock(state);
      result.textContent = describeReminders(state.reminders || {});
    } catch (error) {
      result.textContent = error.message;
    }
    pollOutbox();
  }

  document.querySelectorAll(".clock-buttons [data-days]").forEach((button) => {
    button.addEventListener("click", () => moveClock({ days: Number(button.dataset.days) }));
  });
  $("#clock-reset").addEventListener("click", () => moveClock({ reset: true }));
  $("#clock-jump").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("#clock-date").value;
    if (value) moveClock({ date: value });
  });

  async function refreshClock() {
    try {
      showClock(await clockRequest("GET"));
    } catch (error) {
      $("#clock-now").textContent = error.message;
    }
  }
  setInterval(refreshClock, CLOCK_POLL_MS);
  refreshClock();
  setButtons();
})();
