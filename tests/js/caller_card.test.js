// The caller card (bg/caller_card.js): texts, the state kept for the popup, shown on a contact notice, cleared by the call's end, a click opens the record; and wired into background.js.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EXT, ROOT } from "./helpers/page.js";
import { FakeRuntime, defaultHost, settle } from "./helpers/fake_runtime.js";
import {
  CARDS_KEY, LIMITS, cardFrom, cardText, createCallerCard, emptyState, endsCard, iconData, withCard, withoutCall,
} from "../../extension/bg/caller_card.js";
import { checkNotice } from "../../extension/common/protocol.js";
import { listeners, messenger, storageArea } from "./helpers/fake_chrome.js";

const en = JSON.parse(fs.readFileSync(path.join(EXT, "_locales/en/messages.json"), "utf8"));
const de = JSON.parse(fs.readFileSync(path.join(EXT, "_locales/de/messages.json"), "utf8"));
const tIn = (messages) => (key) => (messages[key] ? messages[key].message : key);

const notice = (over = {}) => ({
  type: "contact", call_id: "c1@pbx", found: true, name: "Anna Müller", company: "ACME GmbH",
  url: "https://crm.example.com/contacts/42", number: "+4930123456", webhook_id: "wh_1", delivery_id: "msg_1", ...over,
});
const unknown = (over = {}) => notice({ found: false, name: null, company: null, url: null, ...over });

test("the contact notice's shape: found, strings or null, an http(s) url only", () => {
  assert.equal(checkNotice(notice()), null);
  assert.equal(checkNotice(unknown()), null);
  assert.match(checkNotice(notice({ url: "javascript:alert(1)" })), /url/);
  assert.match(checkNotice(notice({ found: "yes" })), /found/);
  assert.match(checkNotice(notice({ name: 42 })), /name/);
  assert.match(checkNotice(notice({ call_id: "" })), /call_id/);
  assert.match(checkNotice({ ...notice(), number: undefined }), /number/);
  assert.match(checkNotice({ ...notice(), delivery_id: undefined }), /delivery_id/);
});

test("texts: name and company, or Unknown caller and the number, in English and German", () => {
  const card = cardFrom(notice(), 0);
  assert.deepEqual(cardText(card, tIn(en)), { title: "Anna Müller", message: "ACME GmbH\n+4930123456" });
  assert.deepEqual(cardText(cardFrom(unknown(), 0), tIn(en)), { title: "Unknown caller", message: "+4930123456" });
  assert.deepEqual(cardText(cardFrom(unknown(), 0), tIn(de)), { title: "Unbekannter Anrufer", message: "+4930123456" });
  assert.deepEqual(cardText(cardFrom(unknown({ number: "" }), 0), tIn(de)).message, de.callerCardNoNumber.message);
  // found without a name: the company is the title; without either, the number
  assert.deepEqual(cardText(cardFrom(notice({ name: null }), 0), tIn(en)), { title: "ACME GmbH", message: "+4930123456" });
  assert.deepEqual(cardText(cardFrom(notice({ name: "", company: null }), 0), tIn(en)), { title: "+4930123456", message: "+4930123456" });
  // a not-found notice never shows a name, whatever it carries
  assert.equal(cardText(cardFrom(unknown({ name: "Mallory" }), 0), tIn(en)).title, "Unknown caller");
});

test("which events end a card", () => {
  for (const t of ["incoming_call_answered_elsewhere", "incoming_call_missed", "incoming_call_ended", "queue_call_ended", "outgoing_call_ended"]) {
    assert.ok(endsCard(t), t);
  }
  for (const t of ["incoming_call_ringing", "incoming_call_accepted", "queue_call_accepted", "call_transferred", undefined]) {
    assert.ok(!endsCard(t), t);
  }
});

test("state: one card per call, the newest kept, none for a call that ended before its notice", () => {
  let s = emptyState();
  s = withCard(s, cardFrom(notice(), 1000));
  s = withCard(s, cardFrom(notice({ name: "Anna M." }), 2000));
  assert.deepEqual(s.cards.map((c) => c.name), ["Anna M."], "a second notice for the call replaces the card");
  const { state, gone } = withoutCall(s, "c1@pbx");
  assert.equal(gone.name, "Anna M.");
  assert.deepEqual(state, { cards: [], ended: ["c1@pbx"] });
  assert.equal(withCard(state, cardFrom(notice(), 3000)), null, "the call ended first: no card");
  let many = emptyState();
  for (let i = 0; i < LIMITS.cards + 3; i++) many = withCard(many, cardFrom(notice({ call_id: `c${i}`, delivery_id: `m${i}` }), i));
  assert.equal(many.cards.length, LIMITS.cards);
  assert.equal(many.cards[0].call_id, "c3", "the oldest go first");
  const old = withCard(withCard(emptyState(), cardFrom(notice({ call_id: "old" }), 0)), cardFrom(notice(), LIMITS.maxAgeMs + 1));
  assert.deepEqual(old.cards.map((c) => c.call_id), ["c1@pbx"], "a card whose end never came goes after hours");
  let ended = emptyState();
  for (let i = 0; i < LIMITS.rememberEnded + 5; i++) ended = withoutCall(ended, `e${i}`).state;
  assert.equal(ended.ended.length, LIMITS.rememberEnded);
});

test("the icon is read once into a data: URL (shown sooner by Chromium); a failed read keeps the file's URL", async () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
  assert.equal(await iconData("chrome-extension://x/icons/icon48.png", async () => ({ arrayBuffer: async () => png.buffer })),
    `data:image/png;base64,${Buffer.from(png).toString("base64")}`);
  assert.equal(await iconData("chrome-extension://x/icons/icon48.png", async () => { throw new TypeError("Failed to fetch"); }),
    "chrome-extension://x/icons/icon48.png");
});

test("the card waits for an icon that is still being read", async () => {
  const api = { shown: [], create: async (id, o) => { api.shown.push(o.iconUrl); }, clear: async () => {} };
  let ready;
  const c = createCallerCard({ notifications: () => api, storage: null, enabled: async () => true, openTab: () => {},
    t: tIn(en), iconUrl: new Promise((r) => { ready = r; }) });
  const shown = c.show(notice());
  await settle();
  assert.deepEqual(api.shown, []);
  ready("data:image/png;base64,AAAA");
  await shown;
  assert.deepEqual(api.shown, ["data:image/png;base64,AAAA"]);
});

function fakeNotifications() {
  const api = {
    shown: new Map(), cleared: [],
    create: async (id, options) => { api.shown.set(id, options); return id; },
    clear: async (id) => { api.cleared.push(id); return api.shown.delete(id); },
  };
  return api;
}

function session() {
  const data = {};
  return { data, get: async (key) => ({ [key]: data[key] }), set: async (items) => { Object.assign(data, JSON.parse(JSON.stringify(items))); } };
}

function card({ enabled = true, permission = true, storage = session() } = {}) {
  const api = fakeNotifications();
  const opened = [];
  const changes = [];
  const c = createCallerCard({
    notifications: () => (permission ? api : null), storage, enabled: async () => enabled, openTab: (x) => opened.push(x.url),
    t: tIn(en), iconUrl: "chrome-extension://id/icons/icon128.png", onChange: (s) => changes.push(s),
  });
  return { c, api, opened, storage, changes };
}

test("a contact notice shows the notification; the call's end clears it and the popup's card", async () => {
  const { c, api, storage } = card();
  await c.show(notice());
  assert.deepEqual(api.shown.get("ucc-card-msg_1"), {
    type: "basic", iconUrl: "chrome-extension://id/icons/icon128.png", title: "Anna Müller", message: "ACME GmbH\n+4930123456",
  });
  assert.equal(storage.data[CARDS_KEY].cards[0].url, "https://crm.example.com/contacts/42");
  await c.sawEvent({ trigger: "incoming_call_accepted", call_id: "c1@pbx" });
  assert.ok(api.shown.has("ucc-card-msg_1"), "answered here: the card stays while the call lasts");
  await c.sawEvent({ trigger: "incoming_call_ended", call_id: "c1@pbx" });
  assert.deepEqual(api.cleared, ["ucc-card-msg_1"]);
  assert.deepEqual(storage.data[CARDS_KEY].cards, []);
});

for (const trigger of ["incoming_call_missed", "incoming_call_answered_elsewhere"]) {
  test(`${trigger} clears the card; another call's card stays`, async () => {
    const { c, api } = card();
    await c.show(notice());
    await c.show(unknown({ call_id: "c2@pbx", delivery_id: "msg_2" }));
    await c.sawEvent({ trigger, call_id: "c1@pbx" });
    assert.deepEqual([...api.shown.keys()], ["ucc-card-msg_2"]);
    assert.deepEqual((await c.current()).cards.map((x) => x.call_id), ["c2@pbx"]);
  });
}

test("the end seen before the contact notice: nothing shows (a slow lookup, a short call)", async () => {
  const { c, api, storage } = card();
  c.sawEvent({ trigger: "incoming_call_missed", call_id: "c1@pbx" });
  await c.show(notice());
  assert.equal(api.shown.size, 0);
  assert.deepEqual(storage.data[CARDS_KEY].cards, []);
});

test("the setting off or the permission missing: no notification, the popup still gets the card", async () => {
  for (const options of [{ enabled: false }, { permission: false }]) {
    const { c, api, storage } = card(options);
    await c.show(notice());
    assert.equal(api.shown.size, 0, JSON.stringify(options));
    assert.equal(storage.data[CARDS_KEY].cards.length, 1);
  }
});

test("a click opens the record once through openTab and takes the notification away; unknown callers open nothing", async () => {
  const { c, api, opened } = card();
  await c.show(notice());
  await c.show(unknown({ call_id: "c2@pbx", delivery_id: "msg_2" }));
  assert.equal(await c.clicked("ucc-card-msg_1"), true);
  assert.deepEqual(opened, ["https://crm.example.com/contacts/42"]);
  assert.ok(api.cleared.includes("ucc-card-msg_1"));
  assert.equal(await c.clicked("ucc-card-msg_2"), false);
  assert.equal(await c.clicked("someone-elses"), false);
  assert.deepEqual(opened, ["https://crm.example.com/contacts/42"]);
  assert.equal((await c.current()).cards.length, 2, "the popup keeps the card until the call ends");
  assert.equal(await c.open("c1@pbx"), true, "the popup's button opens it again");
  assert.equal(await c.open("c2@pbx"), false);
  assert.equal(opened.length, 2);
});

test("a failing notifications API loses neither the card nor the next one", async () => {
  const { c, api, storage } = card();
  api.create = async () => { throw new Error("notifications are switched off in the system"); };
  const warn = console.warn;
  console.warn = () => {};
  try {
    await c.show(notice());
  } finally {
    console.warn = warn;
  }
  assert.equal(storage.data[CARDS_KEY].cards.length, 1);
});

test("the state outlives the worker: a new card object reads it from storage.session", async () => {
  const storage = session();
  const first = card({ storage });
  await first.c.show(notice());
  const second = card({ storage });
  assert.equal(await second.c.clicked("ucc-card-msg_1"), true);
  assert.deepEqual(second.opened, ["https://crm.example.com/contacts/42"]);
  await second.c.sawEvent({ trigger: "incoming_call_ended", call_id: "c1@pbx" });
  assert.deepEqual(second.api.cleared.at(-1), "ucc-card-msg_1");
});

test("watch(guard): forwarded events reach the card, held or dropped ones do not", async () => {
  const { c, api } = card();
  await c.show(notice());
  const calls = [];
  const guard = { admitEvent: (tabId, event, forward) => { if (event.call_id !== "dropped") forward(event); return "x"; }, admitTab: () => true };
  const watched = c.watch(guard);
  assert.equal(watched.admitTab, guard.admitTab);
  watched.admitEvent(1, { trigger: "incoming_call_ended", call_id: "dropped" }, (e) => calls.push(e));
  await settle();
  assert.equal(api.cleared.length, 0);
  watched.admitEvent(1, { trigger: "incoming_call_ended", call_id: "c1@pbx" }, (e) => calls.push(e.call_id));
  await settle(); await settle();
  assert.deepEqual(calls, ["c1@pbx"]);
  assert.deepEqual(api.cleared, ["ucc-card-msg_1"]);
});

// --- wired into background.js, against a fake browser -------------------------------------------
const ID = "amlncininjibhhckajeabpanpcfpeeig";
const event = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/protocol/call_event.request.json"), "utf8")).event;
const native = new FakeRuntime({ host: defaultHost() });
const store = { local: { uccOrigins: ["https://ucc.example.com/*"], callerCard: true }, session: {}, managed: {} };
const area = (name) => storageArea(store, name);
const seen = { tabs: [], shown: new Map(), cleared: [] };
const chrome = {
  runtime: {
    id: ID, getURL: (p) => `chrome-extension://${ID}/${p}`, getManifest: () => ({ version: "0.1.0" }),
    connectNative: (name) => native.connectNative(name), get lastError() { return native.lastError; },
    sendMessage: async () => {}, onMessage: listeners(), onInstalled: listeners(), onStartup: listeners(),
  },
  i18n: { getMessage: (key) => (en[key] ? en[key].message : "") },
  storage: { local: area("local"), session: area("session"), managed: area("managed"), onChanged: listeners() },
  alarms: { create: () => {}, clear: async () => true, onAlarm: listeners() },
  action: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {}, setTitle: async () => {} },
  tabs: { create: async ({ url }) => { seen.tabs.push(url); }, onRemoved: listeners(), onUpdated: listeners(), sendMessage: async () => null },
  permissions: { onAdded: listeners() },
  notifications: {
    create: async (id, options) => { seen.shown.set(id, options); return id; },
    clear: async (id) => { seen.cleared.push(id); return seen.shown.delete(id); },
    onClicked: listeners(),
  },
  scripting: { getRegisteredContentScripts: async () => [], unregisterContentScripts: async () => {}, registerContentScripts: async () => {} },
};

const send = messenger(chrome);
const content = { id: ID, url: "https://ucc.example.com/phone", tab: { id: 1 } };
const popup = { id: ID, url: `chrome-extension://${ID}/popup.html` };
const ringing = { ...event, trigger: "incoming_call_ringing", call_id: "w1", answered_at: null, ended_at: null, duration: null, outcome: null, ended_by: null, sip_status: null };

test("background.js: the host's contact notice shows the card, a click opens the tab, the ended event clears it", async () => {
  globalThis.chrome = chrome;
  await import("../../extension/background.js");
  await send({ type: "call_event", event: ringing }, content);
  await settle(); await settle();
  const port = native.ports.at(-1);
  port.onMessage.fire(notice({ call_id: "w1", delivery_id: "msg_w1" }));
  port.onMessage.fire(notice({ call_id: "w1", delivery_id: "msg_bad", url: "file:///etc/passwd" })); // refused by the port's check
  for (let i = 0; i < 5; i++) await settle();
  assert.deepEqual([...seen.shown.keys()], ["ucc-card-msg_w1"]);
  assert.equal(seen.shown.get("ucc-card-msg_w1").title, "Anna Müller");
  assert.equal(store.session[CARDS_KEY].cards[0].call_id, "w1");

  chrome.notifications.onClicked.fire("ucc-card-msg_w1");
  for (let i = 0; i < 5; i++) await settle();
  assert.deepEqual(seen.tabs, ["https://crm.example.com/contacts/42"]);

  assert.equal((await send({ type: "callerCard.open", call_id: "w1" }, content)).error.code, "forbidden");
  assert.deepEqual(await send({ type: "callerCard.open", call_id: "w1" }, popup), { ok: true, result: { opened: true } });
  assert.equal(seen.tabs.length, 2);

  await send({ type: "call_event", event: { ...event, call_id: "w1" } }, content); // incoming_call_ended
  for (let i = 0; i < 5; i++) await settle();
  assert.ok(seen.cleared.includes("ucc-card-msg_w1"));
  assert.deepEqual(store.session[CARDS_KEY].cards, []);
});

test("background.js: clicks open at most the tab cap a minute, like open_tab", async () => {
  const port = native.ports.at(-1);
  for (let i = 0; i < 6; i++) port.onMessage.fire(notice({ call_id: `cap${i}`, delivery_id: `msg_cap${i}` }));
  for (let i = 0; i < 10; i++) await settle();
  for (let i = 0; i < 6; i++) chrome.notifications.onClicked.fire(`ucc-card-msg_cap${i}`);
  for (let i = 0; i < 10; i++) await settle();
  assert.equal(seen.tabs.length, 4, "2 earlier + 2 more: 4 tabs a minute, all webhooks and cards together");
});

test("background.js: granting the permission switches the card on; the setting off shows nothing", async () => {
  store.local.callerCard = false;
  chrome.storage.onChanged.fire({ callerCard: { newValue: false } }, "local");
  const port = native.ports.at(-1);
  port.onMessage.fire(notice({ call_id: "off1", delivery_id: "msg_off1" }));
  for (let i = 0; i < 5; i++) await settle();
  assert.ok(!seen.shown.has("ucc-card-msg_off1"));
  chrome.permissions.onAdded.fire({ permissions: ["notifications"] });
  await settle();
  assert.equal(store.local.callerCard, true);
  chrome.permissions.onAdded.fire({ origins: ["https://ucc2.example.com/*"] });
  store.local.callerCard = false;
  await settle();
  assert.equal(store.local.callerCard, false, "another permission changes nothing");
});

test("background.js: an answered call whose tab closes gets its end made up, and that end clears the card too", async () => {
  const port = native.ports.at(-1);
  store.local.callerCard = true;
  chrome.storage.onChanged.fire({ callerCard: { newValue: true } }, "local");
  const tab = { id: 7 };
  const from = { ...content, tab };
  await send({ type: "call_event", event: { ...ringing, call_id: "gone1" } }, from);
  port.onMessage.fire(notice({ call_id: "gone1", delivery_id: "msg_gone1" }));
  for (let i = 0; i < 5; i++) await settle();
  assert.ok(seen.shown.has("ucc-card-msg_gone1"));
  const accepted = { ...ringing, trigger: "incoming_call_accepted", call_id: "gone1", answered_at: ringing.started_at + 3 };
  await send({ type: "call_event", event: accepted }, from);
  for (let i = 0; i < 5; i++) await settle();
  assert.ok(seen.shown.has("ucc-card-msg_gone1"), "answered here: the card stays");
  chrome.tabs.onRemoved.fire(7, {});
  for (let i = 0; i < 20; i++) await settle();
  assert.ok(native.posted().some((m) => m.type === "call_event" && m.event.call_id === "gone1" && m.event.trigger === "incoming_call_ended"),
    "the made-up end went to the host");
  assert.ok(seen.cleared.includes("ucc-card-msg_gone1"), "and took the card away");
});
