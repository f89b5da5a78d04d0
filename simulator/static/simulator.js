// The simulator page: the caller, the texter and the clock, around the TwiML player.
//
// Each request Twilio would make goes to POST /simulator/relay, which signs it with the app's
// token and hands it to the real webhook; twiml-player.js follows the TwiML that comes back like
// Twilio follows it, and this module shows it: transcript, keypad, sound. SMS replies come from
// the TwiML; everything the workers send comes from the local outbox (GET /sms/outbox).
// ES modules, no build step: the browser loads these files as they are.

import { ACCOUNT_SID, CallPlayer, hex, parseTwiml } from "./twiml-player.js";

const $ = (selector) => document.querySelector(selector);
const HOTLINE_NUMBER = "+33100000000";
const OUTBOX_POLL_MS = 2000;
const CLOCK_POLL_MS = 30000;

// --- small helpers ----------------------------------------------------------------------------

/** A French mobile number (+33 61...): the hotline texts only mobiles of allowed countries. */
function randomNumber() {
  return "+3361" + String(Math.floor(Math.random() * 1e7)).padStart(7, "0");
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

// One time zone on the page: the hotline's, Paris (SMS times are real time, not the moved clock).
const parisClock = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Paris",
  hour: "2-digit",
  minute: "2-digit",
});

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

// --- the phone number -------------------------------------------------------------------------

const numberInput = $("#number");
numberInput.value = localStorage.getItem("simulator.number") || randomNumber();
localStorage.setItem("simulator.number", numberInput.value);
numberInput.addEventListener("change", () => {
  if (numberInput.checkValidity()) {
    localStorage.setItem("simulator.number", numberInput.value);
    clearThread(); // another number: another phone, another thread
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

// --- the call: the player follows the TwiML, the page shows it ---------------------------------

const call = new CallPlayer({
  post: relay,
  hear: (heard) => play(heard, transcriptPrompt(heard)),
  stopHearing: stopPlayback,
  timesOut: () => $("#real-timeout").checked,
  base: window.location.origin,
  view: {
    twiml: transcriptTwiml,
    event: transcriptEvent,
    action: transcriptAction,
    state: setState,
    typed: showTyped,
    changed: setButtons,
    ended: (form) => {
      // Twilio's status callback: the hotline forgets the call's state.
      relay("/voice/status", form).catch((error) =>
        transcriptEvent(`Status callback failed: ${error.message}`, true)
      );
    },
  },
});

function setState(text, listening = "") {
  $("#call-state").textContent = text;
  $("#listening").textContent = listening || "\u00a0";
}

function showTyped(digits) {
  $("#typed").textContent = digits || "\u00a0";
}

function setButtons() {
  const up = call.up;
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
  transcript.replaceChildren();
  transcriptEvent(`Calling the hotline from ${from}`);
  await call.start({ from, to: HOTLINE_NUMBER, direction: "inbound" });
}

function press(key) {
  const button = document.querySelector(`.key[data-key="${CSS.escape(key)}"]`);
  if (button) {
    button.classList.add("pressed");
    setTimeout(() => button.classList.remove("pressed"), 150);
  }
  call.press(key);
}

$("#call").addEventListener("click", dial);
$("#hangup").addEventListener("click", () => {
  transcriptAction("hung up");
  call.end("You hung up");
});
$("#silence").addEventListener("click", () => call.staySilent());
$("#real-timeout").addEventListener("change", () => call.retime());
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

// --- SMS --------------------------------------------------------------------------------------

const thread = $("#thread");
const sms = { seen: new Set(), arrived: 0, sinceMove: null };
const threadHint = thread.querySelector(".empty").cloneNode(true);

function clearThread() {
  sms.seen.clear();
  thread.replaceChildren(threadHint.cloneNode(true));
}

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
  const number = numberInput.value;
  let messages;
  try {
    // The server picks this number's messages by its full number (a keyed hash), not by the
    // masked +33…78 that numbers ending alike share.
    const response = await fetch(`/sms/outbox?to=${encodeURIComponent(number)}`, { cache: "no-store" });
    if (!response.ok) return;
    messages = (await response.json()).messages || [];
  } catch {
    return;
  }
  if (number !== numberInput.value) return; // the number changed while we asked
  for (const message of messages.slice().reverse()) {
    if (sms.seen.has(message.sid)) continue;
    sms.seen.add(message.sid);
    const at = message.at ? ` at ${parisClock.format(new Date(message.at))} Paris time` : "";
    addSms("received worker", message.body, `Hotline · SMS sent by the worker${at}`);
    if (sms.sinceMove !== null && message.at && new Date(message.at) >= sms.sinceMove) {
      sms.arrived += 1;
      showArrivals();
    }
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

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** What the move did that is not a message: a message counts once it has really been sent. */
function describeReminders(outcomes) {
  const parts = [];
  if (outcomes.waiting) parts.push(`${plural(outcomes.waiting, "registration waits", "registrations wait")} for the sending hours`);
  if (outcomes.purged) parts.push(`${plural(outcomes.purged, "registration", "registrations")} deleted (retention over)`);
  if (outcomes.sent) parts.unshift("Reminders came due: the worker sends them (counted below once sent)");
  return parts.length ? parts.join("; ") + "." : "Nothing was due.";
}

/** Reminders count when the worker has sent them to this number (a withdrawn one never is). */
function showArrivals() {
  const sent = $("#clock-sent");
  sent.textContent = sms.arrived ? `${plural(sms.arrived, "SMS", "SMS")} sent to your number since.` : "";
}

async function moveClock(body) {
  const result = $("#clock-result");
  result.textContent = "Moving the clock…";
  try {
    sms.sinceMove = new Date(Date.now() - 1000);
    sms.arrived = 0;
    showArrivals();
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
