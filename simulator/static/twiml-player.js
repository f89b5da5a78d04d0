// The TwiML player: follows a voice webhook's answers the way Twilio does, and nothing else.
//
// It knows TwiML and Twilio's call behaviour, not the page: <Say>/<Play> are heard in order, a
// <Gather> collects keys (numDigits, finishOnKey, timeout; a key stops the prompts), a Gather with
// no key falls through to the next verb (the <Redirect>), <Hangup> or the end of the document ends
// the call. How a request reaches the webhook, how a prompt is heard and what the screen shows are
// given to the constructor, so that one player serves a call the person dials and a call the
// hotline places (Direction outbound-api) alike.

/** Twilio's account in the forms it posts (the hotline does not check it). */
export const ACCOUNT_SID = "AC" + "0".repeat(32);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Random hex, as in Twilio's CallSid and MessageSid. */
export function hex(bytes) {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The <Response> element of a TwiML document; throws when the body is not TwiML. */
export function parseTwiml(body) {
  const doc = new DOMParser().parseFromString(body, "application/xml");
  const root = doc.documentElement;
  if (!root || root.nodeName !== "Response" || doc.querySelector("parsererror")) {
    throw new Error("the webhook did not answer TwiML");
  }
  return root;
}

/** What a <Say> or <Play> says: its text and language, and the file for a <Play>. `plays` maps a
 * <Play> URL to the words of its file ({text, lang}), as the relay tells them. */
export function heardOf(verb, plays) {
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

/** The path and query of a URL, relative ones resolved against `base`. */
export function pathOf(url, base) {
  const parsed = new URL(url, base);
  return parsed.pathname + parsed.search;
}

/**
 * One call at a time, followed like Twilio follows it.
 *
 * `post(path, form)` resolves with the webhook's {status, body, plays}; `hear(heard)` resolves
 * when a prompt has been heard (or skipped); `stopHearing()` cuts the prompt being heard;
 * `timesOut()` says whether a Gather's timeout runs (otherwise the call waits for a key or
 * `staySilent()`); `view` receives what happens: twiml(answer), event(text, problem),
 * action(text), state(text, listening), typed(digits), changed() (the call or its listening
 * changed: buttons), ended(form) (the call is over: the form of Twilio's status callback).
 */
export class CallPlayer {
  constructor({ post, hear, stopHearing, timesOut, view, base }) {
    this.post = post;
    this.hear = hear;
    this.stopHearing = stopHearing;
    this.timesOut = timesOut;
    this.view = view;
    this.base = base;
    this.sid = null; // Twilio's CallSid while a call is up
    this.turn = 0; // bumped by each new webhook answer: older async work stops
    this.gather = null; // the <Gather> listening now
    this.busy = false; // a request is on its way
    this.fields = {};
  }

  get up() {
    return this.sid !== null;
  }

  /** The form Twilio posts for this call, with `extra` fields. */
  form(extra = {}) {
    return {
      AccountSid: ACCOUNT_SID,
      ApiVersion: "2010-04-01",
      CallSid: this.sid,
      CallStatus: "in-progress",
      ...this.fields,
      ...extra,
    };
  }

  /**
   * Start a call: `from` and `to` as Twilio says them, `direction` "inbound" (the person dials the
   * hotline) or "outbound-api" (the hotline calls the person), `url` the webhook the call starts on.
   */
  async start({ from, to, direction = "inbound", url = "/voice/incoming" }) {
    this.stopHearing();
    this.sid = "CA" + hex(16);
    this.gather = null;
    this.fields = { Called: to, Caller: from, Direction: direction, From: from, To: to };
    this.view.state("Calling…");
    this.view.changed();
    const status = direction === "inbound" ? "ringing" : "in-progress";
    await this.request(url, this.form({ CallStatus: status }));
  }

  /** Post to a voice webhook and follow the TwiML it answers. */
  async request(path, form) {
    const turn = ++this.turn;
    this.gather = null;
    this.busy = true;
    this.view.changed();
    let answer;
    try {
      answer = await this.post(pathOf(path, this.base), form);
    } catch (error) {
      this.busy = false;
      if (turn === this.turn) {
        this.view.event(`Could not reach the hotline: ${error.message}`, true);
        this.end("Call failed");
      }
      return;
    }
    this.busy = false;
    if (turn !== this.turn || !this.up) return;
    this.view.twiml(answer);
    if (answer.status !== 200) {
      this.view.event(
        `The webhook answered HTTP ${answer.status}: Twilio would say "an application error has occurred"`,
        true
      );
      this.end("Call failed");
      return;
    }
    let root;
    try {
      root = parseTwiml(answer.body);
    } catch (error) {
      this.view.event(error.message, true);
      this.end("Call failed");
      return;
    }
    await this.follow(root, answer.plays || {}, turn);
  }

  /** Run the verbs of a TwiML document in order, as Twilio does. */
  async follow(root, plays, turn) {
    for (const verb of Array.from(root.children)) {
      if (turn !== this.turn) return;
      switch (verb.nodeName) {
        case "Say":
        case "Play":
          this.view.state("The hotline is speaking");
          await this.hear(heardOf(verb, plays));
          break;
        case "Gather": {
          const result = await this.listen(verb, plays, turn);
          if (turn !== this.turn) return;
          if (result) {
            const action = verb.getAttribute("action") || "/voice/incoming";
            await this.request(action, this.form(result));
            return;
          }
          break; // nothing pressed: Twilio runs the next verb
        }
        case "Redirect":
          await this.request(verb.textContent.trim(), this.form());
          return;
        case "Pause":
          await sleep(Number(verb.getAttribute("length") || 1) * 1000);
          break;
        case "Hangup":
          this.end("The hotline hung up");
          return;
        default:
          this.view.event(`(the simulator skips <${verb.nodeName}>)`);
      }
    }
    if (turn === this.turn) this.end("The call ended (no more instructions)");
  }

  /** Listen for keys like Twilio's <Gather>: the prompts inside play until the first key;
   * resolves with {Digits, FinishedOnKey}, or null when nothing was entered. */
  listen(verb, plays, turn) {
    const numDigits = Number(verb.getAttribute("numDigits")) || Infinity;
    const finishOnKey = verb.hasAttribute("finishOnKey") ? verb.getAttribute("finishOnKey") : "#";
    const timeout = Number(verb.getAttribute("timeout") || 5);
    const view = this.view;
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
        if (this.gather === listening) this.gather = null;
        view.changed();
        resolve(result);
      };
      const submit = (finishedOnKey) => {
        if (listening.digits === "") {
          // Twilio: the finish key alone, or nothing, is no input: on to the next verb.
          if (finishedOnKey) view.action(`pressed ${finishedOnKey}`);
          finish(null);
        } else {
          view.action(
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
        if (!this.timesOut()) {
          view.state("Listening", `${describe()} (no timeout: use “Stay silent”)`);
          return;
        }
        let left = timeout;
        view.state("Listening", `${describe()} · ${left} s`);
        listening.countdown = setInterval(() => {
          left -= 1;
          if (left > 0) view.state("Listening", `${describe()} · ${left} s`);
        }, 1000);
        listening.timer = setTimeout(() => listening.timeOut(), timeout * 1000);
      };
      listening.restart = () => {
        if (!listening.prompting && !listening.done) startWaiting();
      };
      listening.key = (key) => {
        if (listening.prompting) {
          listening.prompting = false;
          this.stopHearing(); // a key stops the prompts
        }
        if (finishOnKey && key === finishOnKey) {
          submit(key);
          return;
        }
        listening.digits += key;
        view.typed(listening.digits);
        if (listening.digits.length >= numDigits) submit("");
        else startWaiting();
      };
      listening.timeOut = () => {
        this.stopHearing();
        listening.prompting = false;
        if (listening.digits === "") view.action("stayed silent");
        submit("");
      };
      this.gather = listening;
      view.typed("");
      view.changed();

      (async () => {
        for (const child of Array.from(verb.children)) {
          if (!listening.prompting || listening.done || turn !== this.turn) break;
          if (child.nodeName === "Say" || child.nodeName === "Play") {
            view.state("The hotline is speaking", `${describe()} (you can press a key now)`);
            await this.hear(heardOf(child, plays));
          }
        }
        if (turn !== this.turn) {
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

  /** A key on the keypad: to the listening <Gather>, ignored while nothing listens (as Twilio). */
  press(key) {
    if (!this.up) return;
    if (!this.gather) {
      this.view.typed(key);
      return;
    }
    this.gather.key(key);
  }

  /** Press nothing: the listening Gather's wait runs out now. */
  staySilent() {
    if (this.gather) this.gather.timeOut();
  }

  /** The timeout setting changed: the listening Gather waits anew under it. */
  retime() {
    this.gather?.restart();
  }

  /** End the call (hung up, failed or over) and send Twilio's status callback. */
  end(reason) {
    if (!this.up) return;
    const ended = this.form({ CallStatus: "completed", CallDuration: "42" });
    this.turn += 1;
    this.stopHearing();
    this.sid = null;
    this.gather = null;
    this.view.event(reason);
    this.view.state("Call ended");
    this.view.typed("");
    this.view.changed();
    this.view.ended(ended);
  }
}
