// Tests for the pages' logic that runs without a DOM: placeholder availability and reasons, auto-save, browser detection, messages.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EXT, ROOT } from "./helpers/page.js";

// chrome.i18n as the browser implements it for _locales/en: named placeholders mapped to $1..$9.
const en = JSON.parse(fs.readFileSync(path.join(EXT, "_locales/en/messages.json"), "utf8"));
globalThis.chrome = {
  i18n: {
    getUILanguage: () => "en",
    getMessage(key, subs = []) {
      const entry = en[key];
      if (!entry) return "";
      return entry.message.replace(/\$([A-Z_]+)\$/gi, (_, name) => {
        const content = entry.placeholders[name.toLowerCase()].content;
        return content.replace(/\$(\d)/, (__, n) => subs[Number(n) - 1] ?? "");
      });
    },
  },
};
const { availability, catalogue } = await import("../../extension/ui/placeholders.js");
const { createAutosave } = await import("../../extension/ui/autosave.js");
const { browserName, installCommand } = await import("../../extension/ui/host.js");
const { errorText, label, t } = await import("../../extension/ui/i18n.js");

const hello = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/protocol/hello.reply.json"), "utf8")).result;
/** onState for createAutosave that records every state; `reached(state)` resolves once it is reported. */
function stateLog() {
  const states = [];
  const waiting = [];
  const onState = (state, error) => {
    states.push(error ? [state, error.field] : state);
    for (const w of waiting.filter((w) => w.state === state)) w.resolve();
  };
  const reached = (state) => new Promise((resolve) => waiting.push({ state, resolve }));
  return { states, onState, reached };
}

const small = {
  triggers: [
    { id: "outgoing_call_started", placeholders: ["callee", "time"] },
    { id: "incoming_call_ended", placeholders: ["callee", "caller", "duration", "time"] },
  ],
  placeholders: [{ name: "callee", description: "number called" }, { name: "duration", description: "seconds" }],
};

test("chips: the trigger's placeholders are allowed, others carry the reason", () => {
  assert.equal(availability(small, "incoming_call_ended", "duration").allowed, true);
  const duration = availability(small, "outgoing_call_started", "duration");
  assert.equal(duration.allowed, false);
  assert.equal(duration.reason, "Not available for “Outgoing direct call started”. Available for: Incoming direct call hung up");
  assert.equal(availability(small, "outgoing_call_started", "user").reason, "Not available for “Outgoing direct call started”.");
  assert.equal(availability(small, "queue_call_ended", "duration").allowed, true, "no trigger info from the host: do not guess");
});

test("chips: with the host's real vocabulary (hello fixture) every trigger offers exactly its placeholders", () => {
  for (const trigger of hello.triggers) {
    for (const { name } of catalogue(hello)) {
      const { allowed, reason } = availability(hello, trigger.id, name);
      assert.equal(allowed, trigger.placeholders.includes(name), `${trigger.id} {${name}}`);
      if (!allowed) assert.ok(reason.includes(label("trigger", trigger.id)), reason);
    }
  }
  assert.equal(availability(hello, "outgoing_call_started", "duration").allowed, false);
  assert.match(availability(hello, "outgoing_call_started", "duration").detail, /known only when a call has ended/);
  assert.equal(availability(hello, "incoming_call_ended", "duration").allowed, true);
});

test("chips: the catalogue lists described placeholders and the ones only named under a trigger", () => {
  const names = catalogue(small).map((p) => p.name);
  assert.deepEqual(names, ["callee", "duration", "time", "caller"]);
  const all = catalogue(hello).map((p) => p.name);
  assert.equal(new Set(all).size, all.length);
  for (const t of hello.triggers) for (const n of t.placeholders) assert.ok(all.includes(n), n);
});

test("messages substitute their placeholders; unknown error codes fall back to the host's message", () => {
  assert.equal(t("statusConnected", "0.1.0"), "Host connected (version 0.1.0)");
  assert.equal(t("testOk", 201, 48), "OK: HTTP 201 in 48 ms");
  assert.equal(label("trigger", "queue_call_accepted"), "Queue call answered");
  assert.equal(label("deliveryState", "some_new_state"), "some_new_state");
  assert.match(errorText({ code: "timeout", message: "x" }), /ucc-webhooks doctor/);
  assert.equal(errorText({ code: "validation_error", message: "{duration} is not available" }), "{duration} is not available");
});

test("auto-save: edits in a burst are saved once, after the pause", async () => {
  let saves = 0;
  const log = stateLog();
  const a = createAutosave({ save: async () => { saves++; }, delayMs: 20, onState: log.onState });
  for (let i = 0; i < 5; i++) a.schedule();
  assert.equal(saves, 0, "nothing is saved before the pause");
  await log.reached("saved"); // a burst that was not debounced ends with more saves before this
  assert.equal(saves, 1);
  assert.deepEqual(log.states, ["saving", "saved"]);
  assert.equal(a.pending(), false);
});

test("auto-save: an edit during a save is saved after it, never in parallel", async () => {
  let running = 0;
  let peak = 0;
  const seen = [];
  let value = 1;
  let finishFirst;
  const firstOnTheWire = new Promise((resolve) => { finishFirst = resolve; });
  const log = stateLog();
  const a = createAutosave({
    delayMs: 5,
    onState: log.onState,
    save: async () => {
      running++; peak = Math.max(peak, running); const v = value;
      if (v === 1) await firstOnTheWire; // the first save is still on the wire when the edit comes
      seen.push(v); running--;
    },
  });
  a.flush();
  value = 2;
  a.flush();
  assert.deepEqual(seen, [], "the second flush waits for the first save");
  finishFirst();
  await log.reached("saved");
  assert.equal(peak, 1);
  assert.deepEqual(seen, [1, 2]);
});

test("auto-save: a failed save reports the error with the state", async () => {
  const states = [];
  const a = createAutosave({ save: async () => { throw Object.assign(new Error("bad url"), { field: "url" }); }, onState: (s, e) => states.push([s, e && e.field]) });
  await a.flush();
  assert.deepEqual(states, [["saving", undefined], ["error", "url"]]);
});

test("the install command names this browser", () => {
  const nav = (userAgent, extra = {}) => ({ userAgent, ...extra });
  assert.equal(browserName(nav("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")), "firefox");
  assert.equal(browserName(nav("Mozilla/5.0 ... Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0")), "edge");
  assert.equal(browserName(nav("Mozilla/5.0 ... Chrome/126.0.0.0", { userAgentData: { brands: [{ brand: "Google Chrome" }] } })), "chrome");
  assert.equal(browserName(nav("Mozilla/5.0 ... Chrome/126.0.0.0", { brave: {} })), "brave");
  assert.equal(browserName(nav("Mozilla/5.0 ... Chrome/156.0.0.0", { userAgentData: { brands: [{ brand: "Chromium" }] } })), "chromium");
  assert.equal(installCommand(nav("x Firefox/140.0")), "ucc-webhooks install --browser firefox");
});

const { onboardingStep, installCommands, unwatchedWorkerTabs } = await import("../../extension/ui/onboarding.js");
const { readableUrl, isBackground } = await import("../../extension/ui/deliveries.js");
const { lastDeliveries, rowState } = await import("../../extension/ui/overview.js");
const { reasonPositions, substitutionsFor, loadReasonPositions } = await import("../../extension/ui/i18n.js");

test("a host refusal is translated from its reason and params; the host's English is the fallback", async () => {
  globalThis.chrome.runtime = { getURL: (p) => p };
  await loadReasonPositions(async () => en);
  const error = { code: "validation_error", message: "name: too long", reason: "not_one_of", params: { field: "action", got: "put", expected: "'get', 'post'" } };
  assert.equal(errorText(error), "Action: “put” is not allowed (allowed: 'get', 'post').");
  assert.equal(errorText({ ...error, reason: "some_future_reason" }), "name: too long");
  assert.deepEqual(reasonPositions({ host_x: { message: "$B$ $A$", placeholders: { b: { content: "$2" }, a: { content: "$1" } } } }), { host_x: ["a", "b"] });
  assert.deepEqual(substitutionsFor("host_too_long", { max: "200", field: "name" }), ["Name", "200"]);
});

test("onboarding names the first broken link, in the order a set-up is done", () => {
  const connected = { state: "connected", hostVersion: "0.1.0" };
  const tab = { id: 3, title: "UCC" };
  assert.equal(onboardingStep({ status: { state: "error", error: { code: "host_not_found" } }, origins: [] }).step, "no_host");
  assert.deepEqual(onboardingStep({ status: { state: "error", error: { code: "host_incompatible", message: "host 0.0.9 does not speak the protocol of extension 0.1.0" } } }),
    { step: "host_old", hostVersion: "0.0.9" });
  assert.equal(onboardingStep({ status: connected, origins: [] }).step, "no_address");
  assert.deepEqual(onboardingStep({ status: connected, origins: ["https://u/*"], granted: [] }), { step: "not_granted", origin: "https://u/*" });
  assert.deepEqual(onboardingStep({ status: connected, origins: ["https://u/*"], granted: ["https://u/*"], unobserved: [tab] }), { step: "tab_unobserved", tab });
  assert.equal(onboardingStep({ status: connected, origins: ["https://u/*"], granted: ["https://u/*"], unobserved: [] }), null);
  assert.equal(installCommands({ userAgent: "x Firefox/140.0" }), "pipx install .\nucc-webhooks install --browser firefox\nucc-webhooks doctor");
});

test("a UCC tab that runs workers without a SIP socket of its own is offered watching them, once all else is set up", () => {
  const connected = { state: "connected", hostVersion: "0.1.0" };
  const origins = ["https://ucc.example.com/*", "https://other.example.com:8443/*"];
  const tabs = [
    { id: 1, title: "UCC", url: "https://ucc.example.com/app" },
    { id: 2, title: "Phone in page", url: "https://ucc.example.com/b" },
    { id: 3, title: "Other", url: "https://other.example.com:8443/" },
    { id: 4, title: "No report", url: "https://ucc.example.com/c" },
  ];
  const states = { 1: { workers: 2, sipSeen: false }, 2: { workers: 1, sipSeen: true }, 3: { workers: 1, sipSeen: false } };
  const found = unwatchedWorkerTabs({ states, tabs, origins, watching: ["https://other.example.com:8443/*"] });
  assert.deepEqual(found, [{ tab: tabs[0], origin: "https://ucc.example.com/*" }], "not where its socket was seen, not where workers are watched already");
  assert.deepEqual(unwatchedWorkerTabs({ states, tabs, origins: ["https://ucc.example.com:444/*"], watching: [] }), [], "the port counts");
  const base = { status: connected, origins, granted: origins, workerTabs: found };
  assert.deepEqual(onboardingStep(base), { step: "workers_unwatched", tab: tabs[0], origin: "https://ucc.example.com/*", managed: false });
  assert.equal(onboardingStep({ ...base, unobserved: [tabs[3]] }).step, "tab_unobserved", "an unobserved tab comes first");
  assert.equal(onboardingStep({ ...base, watchingManaged: true }).managed, true);
  assert.equal(t("obWorkersUnwatched", "UCC", "https://ucc.example.com/*"),
    "“UCC” runs workers, and no phone connection was seen in the page itself. If its phone lives in a worker, watch the workers on https://ucc.example.com/* (the settings list what a worker can then notice).");
});

test("the log shows URLs as a person reads them, and attempts only for background requests", () => {
  assert.equal(readableUrl("https://crm.example.com/?n=Anna%20M%C3%BCller&c=%2B4930"), "https://crm.example.com/?n=Anna Müller&c=+4930");
  assert.equal(readableUrl("https://x/?bad=%E0%A4%A"), "https://x/?bad=%E0%A4%A");
  assert.equal(isBackground({ action: "open_tab", state: "opened" }), false);
  assert.equal(isBackground({ action: "get", state: "failed" }), true);
});

test("a row shows its last delivery, or that it is off, or that it never fired", () => {
  const last = lastDeliveries([{ webhook_id: "a", state: "failed", created_at: 1 }, { webhook_id: "a", state: "delivered", created_at: 2 }]);
  assert.equal(last.get("a").state, "delivered");
  assert.deepEqual(rowState({ id: "a", enabled: true }, last.get("a")), { state: "delivered", text: "delivered" });
  assert.deepEqual(rowState({ id: "b", enabled: true }, undefined), { state: "none", text: "not fired yet" });
  assert.equal(rowState({ id: "c", enabled: false }, last.get("a")).state, "off");
});
