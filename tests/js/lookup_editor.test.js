// The popup's CRM parts without a DOM: actions per trigger, the response map and hosts as sent, "Try the map" in words, contact chips under a lookup, lookup rows in the log, the caller card's offer and switch, and the protocol shapes.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EXT } from "./helpers/page.js";

const en = JSON.parse(fs.readFileSync(path.join(EXT, "_locales/en/messages.json"), "utf8"));
globalThis.chrome = {
  i18n: {
    getUILanguage: () => "en",
    getMessage(key, subs = []) {
      const entry = en[key];
      if (!entry) return "";
      return entry.message.replace(/\$([A-Z_]+)\$/gi, (_, name) => entry.placeholders[name.toLowerCase()].content.replace(/\$(\d)/, (__, n) => subs[Number(n) - 1] ?? ""));
    },
  },
  runtime: { getURL: (p) => `chrome-extension://x/${p}` },
};
const { actionFor, actionsFor, contactLine, hostsFrom, lookupFields, mapFrom, mapResultText, MAP_KEYS } = await import("../../extension/ui/lookup_editor.js");
const { availability } = await import("../../extension/ui/placeholders.js");
const { canRetry, contactText, outcomeText } = await import("../../extension/ui/deliveries.js");
const { rowState } = await import("../../extension/ui/overview.js");
const { cardsOf, shouldOffer, switchOn, switchOff } = await import("../../extension/ui/caller_card.js");
const { errorText, label, loadReasonPositions } = await import("../../extension/ui/i18n.js");
await loadReasonPositions(async () => en); // as each page does at start: the params' order from the English messages
const protocol = await import("../../extension/common/protocol.js");
const { PAGE_REQUESTS } = await import("../../extension/bg/handlers.js");

// hello as the contract describes it: lookup on four triggers, the contact condition, five contact placeholders
const CONTACT = ["contact_id", "contact_name", "contact_company", "contact_url", "contact_found"];
const LOOKUP_TRIGGERS = ["incoming_call_ringing", "outgoing_call_started", "incoming_call_accepted", "queue_call_accepted"];
const hello = {
  actions: ["get", "post", "open_tab", "lookup"],
  triggers: ["incoming_call_ringing", "outgoing_call_started", "incoming_call_accepted", "queue_call_accepted", "incoming_call_ended", "incoming_call_missed"].map((id) => ({
    id,
    actions: LOOKUP_TRIGGERS.includes(id) ? ["get", "post", "open_tab", "lookup"] : ["get", "post", "open_tab"],
    conditions: ["numbers", "contact"],
    placeholders: ["caller", "call_id", ...CONTACT],
  })),
  placeholders: [{ name: "caller", description: "" }, ...CONTACT.map((name) => ({ name, description: name, kind: name === "contact_found" ? "boolean" : "text" }))],
};

test("the action select offers per trigger only what hello lists for it", () => {
  assert.deepEqual(actionsFor(hello, "incoming_call_ringing"), ["get", "post", "open_tab", "lookup"]);
  assert.deepEqual(actionsFor(hello, "incoming_call_ended"), ["get", "post", "open_tab"]);
  assert.equal(actionFor(hello, "incoming_call_ended", "lookup"), "get", "a lookup moved to an ended trigger falls back to the first allowed");
  assert.equal(actionFor(hello, "incoming_call_ringing", "lookup"), "lookup");
  // a host without per-trigger actions (before the CRM loop): every action of hello
  assert.deepEqual(actionsFor({ actions: ["get", "post"], triggers: [{ id: "x", placeholders: [] }] }, "x"), ["get", "post"]);
  assert.deepEqual(actionsFor({}, "x"), []);
});

test("the response map as sent: trimmed, empty expressions left out, only the four keys", () => {
  assert.deepEqual(MAP_KEYS, ["contact_id", "contact_name", "contact_company", "contact_url"]);
  assert.deepEqual(mapFrom({ contact_id: " results[0].id ", contact_name: "", contact_company: "  ", contact_url: "https://crm.example.com/c/{contact_id}", other: "x" }),
    { contact_id: "results[0].id", contact_url: "https://crm.example.com/c/{contact_id}" });
  assert.deepEqual(hostsFrom(" app.hubspot.com, crm.example.com\ncrm.example.com;x.example.org "), ["app.hubspot.com", "crm.example.com", "x.example.org"]);
  assert.deepEqual(hostsFrom(""), []);
});

test("each action sends only its CRM fields (the host refuses the others)", () => {
  const parts = { map: { contact_id: "id" }, hosts: ["crm.example.com"], fallback: " https://crm.example.com/new?p={caller} " };
  assert.deepEqual(lookupFields("lookup", parts), { response_map: { contact_id: "id" }, contact_hosts: ["crm.example.com"] });
  assert.deepEqual(lookupFields("open_tab", parts), { contact_hosts: ["crm.example.com"], fallback_url: "https://crm.example.com/new?p={caller}" });
  assert.deepEqual(lookupFields("open_tab", { ...parts, fallback: "  " }).fallback_url, "", "none: the host's empty default");
  assert.deepEqual(lookupFields("post", parts), {});
  assert.deepEqual(lookupFields("get", parts), {});
});

test("Try the map, in words: found with the contact, not found, nothing to try on", () => {
  const contact = { id: "42", name: "Anna \"Ä\" Müller", company: "ACME {GmbH}", url: "https://crm.example.com/c/42" };
  assert.equal(contactLine(contact), "Anna \"Ä\" Müller · ACME {GmbH} · id 42 · https://crm.example.com/c/42");
  assert.equal(contactLine({ id: "7", name: null, company: null, url: null }), "id 7");
  assert.equal(mapResultText({ found: true, contact, answer_from: "sample", answer_head: "{}" }),
    "Found in the sample: Anna \"Ä\" Müller · ACME {GmbH} · id 42 · https://crm.example.com/c/42");
  assert.match(mapResultText({ found: false, contact: null, answer_from: "last_call", answer_head: "[]" }), /^Not found in the last real call's answer/);
  assert.match(mapResultText({ found: false, contact: null, answer_from: "none", answer_head: null }), /Paste a sample answer/);
});

test("the host's refusals of the CRM fields read as sentences, with their params", () => {
  assert.equal(errorText({ reason: "lookup_map_invalid", params: { key: "contact_id", error: "unexpected end of expression" } }),
    en.host_lookup_map_invalid.message.replace("$KEY$", "contact_id").replace("$ERROR$", "unexpected end of expression"));
  assert.equal(errorText({ reason: "lookup_trigger", params: { trigger: "incoming_call_ended" } }),
    en.host_lookup_trigger.message.replace("$TRIGGER$", "incoming_call_ended"));
  assert.match(errorText({ reason: "lookup_uses_contact", params: { name: "contact_id" } }), /\{contact_id\}/);
  for (const reason of ["lookup_trigger", "lookup_map_missing", "lookup_map_invalid", "lookup_map_unknown_key", "field_not_for_action",
    "contact_hosts_invalid", "lookup_uses_contact", "lookup_sample_not_json"]) {
    assert.ok(en[`host_${reason}`], reason);
  }
});

test("the five contact chips: available on every trigger, but not inside a lookup's own request", () => {
  for (const trigger of hello.triggers) {
    for (const name of CONTACT) {
      assert.equal(availability(hello, trigger.id, name, "post").allowed, true, `${trigger.id} ${name}`);
      const own = availability(hello, trigger.id, name, "lookup");
      assert.equal(own.allowed, false);
      assert.match(own.reason, /cannot use what it is about to find/);
    }
    assert.equal(availability(hello, trigger.id, "caller", "lookup").allowed, true, "the caller's number is what a lookup searches by");
  }
  assert.equal(label("action", "lookup"), "Look up the caller in the CRM");
});

const lookupRow = (over = {}) => ({
  id: "msg_l", webhook_id: "wh_l", action: "lookup", trigger: "incoming_call_ringing", state: "found", attempts: 1,
  url: "https://crm.example.com/search?phone=%2B49", last_status: 200, last_error: null, latency_ms: 83.4,
  contact: { id: "42", name: "Anna Müller", company: "ACME GmbH", url: "https://crm.example.com/c/42" }, ...over,
});

test("log: a lookup row shows found with the contact's name and the time it took, never attempts or send again", () => {
  assert.equal(outcomeText(lookupRow()), "Incoming call ringing · Anna Müller (ACME GmbH) · 83 ms");
  assert.equal(contactText(lookupRow({ contact: { id: "42", name: null, company: null, url: null } })), "42");
  assert.equal(outcomeText(lookupRow({ state: "not_found", contact: null, last_status: 404 })), "Incoming call ringing · HTTP 404 · 83 ms");
  assert.equal(outcomeText(lookupRow({ state: "failed", contact: null, last_status: null, last_error: "timed out after 3 s", latency_ms: 3001 })),
    "Incoming call ringing · timed out after 3 s · 3001 ms");
  assert.equal(contactText(lookupRow({ state: "not_found" })), "", "a contact only where it was found");
  for (const state of ["found", "not_found", "failed"]) assert.equal(canRetry(lookupRow({ state })), false, state);
  assert.equal(canRetry({ ...lookupRow({ state: "failed" }), action: "post" }), true, "a failed POST can be sent again");
  assert.equal(canRetry({ ...lookupRow({ state: "failed" }), action: "open_tab" }), false);
  assert.match(outcomeText({ ...lookupRow({ state: "failed", contact: null, last_error: "HTTP 500" }), action: "post", attempts: 3 }), /3 attempts|attempt/);
  assert.equal(label("deliveryState", "found"), "found");
  assert.equal(label("deliveryState", "not_found"), "not found");
});

test("overview: a webhook whose last lookup found someone names them", () => {
  assert.deepEqual(rowState({ enabled: true }, lookupRow()), { state: "found", text: "found: Anna Müller" });
  assert.deepEqual(rowState({ enabled: true }, lookupRow({ state: "not_found", contact: null })), { state: "not_found", text: "not found" });
});

test("the popup offers the caller card where a ringing lookup exists and it is off; never against the administrator", () => {
  const ringingLookup = [{ action: "lookup", trigger: "incoming_call_ringing", enabled: true }];
  assert.equal(shouldOffer({ settings: { callerCard: false, managed: [] }, granted: false, webhooks: ringingLookup }), true);
  assert.equal(shouldOffer({ settings: { callerCard: true, managed: [] }, granted: false, webhooks: ringingLookup }), true, "on, but the permission was taken back");
  assert.equal(shouldOffer({ settings: { callerCard: true, managed: [] }, granted: true, webhooks: ringingLookup }), false);
  assert.equal(shouldOffer({ settings: { callerCard: false, managed: ["callerCard"] }, granted: false, webhooks: ringingLookup }), false);
  assert.equal(shouldOffer({ settings: { callerCard: false, managed: [] }, granted: false, webhooks: [{ action: "lookup", trigger: "outgoing_call_started" }] }), false);
  assert.equal(shouldOffer({ settings: { callerCard: false, managed: [] }, granted: false, webhooks: [{ ...ringingLookup[0], enabled: false }] }), false);
  assert.deepEqual(cardsOf({ cards: [{ call_id: "a" }, { call_id: "b" }], ended: [] }).map((c) => c.call_id), ["b", "a"], "newest first");
  assert.deepEqual(cardsOf(undefined), []);
});

test("switching on asks for the notifications permission inside the click, saves only when granted; off keeps the permission", async () => {
  const saved = [];
  const storage = { set: async (items) => { saved.push(items); } };
  const asked = [];
  const permissions = (answer) => ({ request: (p) => { asked.push(p); return answer; } });
  let pending = switchOn({ granted: false, permissions: permissions(Promise.resolve(true)), storage });
  assert.deepEqual(asked, [{ permissions: ["notifications"] }], "asked synchronously, before any await");
  assert.equal(await pending, true);
  assert.deepEqual(saved, [{ callerCard: true }]);
  assert.equal(await switchOn({ granted: false, permissions: permissions(Promise.resolve(false)), storage }), false);
  assert.equal(await switchOn({ granted: false, permissions: permissions(Promise.reject(new Error("no gesture"))), storage }), false);
  assert.equal(saved.length, 1, "refused: nothing saved");
  pending = switchOn({ granted: true, permissions: { request: () => assert.fail("granted: no prompt") }, storage });
  assert.equal(await pending, true);
  await switchOff(storage);
  assert.deepEqual(saved.at(-1), { callerCard: false });
});

test("protocol: lookups.map request and result, the CRM fields of a webhook, a test that found a contact", () => {
  assert.ok(PAGE_REQUESTS.has("lookups.map"), "the popup's Try the map passes the worker");
  assert.equal(protocol.checkRequest({ id: 1, type: "lookups.map", response_map: { contact_id: "results[0].id" }, sample: "{}" }), null);
  assert.equal(protocol.checkRequest({ id: 1, type: "lookups.map", response_map: { contact_id: "id" }, webhook_id: "wh_1" }), null);
  assert.match(protocol.checkRequest({ id: 1, type: "lookups.map" }), /response_map/);
  assert.match(protocol.checkRequest({ id: 1, type: "lookups.map", response_map: { contact_id: 1 } }), /response_map/);
  assert.match(protocol.checkRequest({ id: 1, type: "lookups.map", response_map: {}, sample: {} }), /sample/);
  const reply = (result) => protocol.checkReply({ id: 1, ok: true, result }, "lookups.map");
  assert.equal(reply({ found: true, contact: { id: "42", name: "Anna", company: null, url: null }, answer_from: "sample", answer_head: "{}" }), null);
  assert.equal(reply({ found: false, contact: null, answer_from: "none", answer_head: null }), null);
  assert.match(reply({ found: false, contact: null, answer_from: "cache", answer_head: null }), /answer_from/);
  const webhook = { trigger: "incoming_call_ringing", action: "lookup", url: "https://crm.example.com/s?p={caller}", response_map: { contact_id: "id" }, contact_hosts: ["crm.example.com"], conditions: { contact: "any" } };
  assert.equal(protocol.checkRequest({ id: 2, type: "webhooks.save", webhook }), null);
  assert.match(protocol.checkRequest({ id: 2, type: "webhooks.save", webhook: { ...webhook, contact_hosts: "crm.example.com" } }), /contact_hosts/);
  assert.match(protocol.checkRequest({ id: 2, type: "webhooks.save", webhook: { ...webhook, fallback_url: 5 } }), /fallback_url/);
  assert.match(protocol.checkRequest({ id: 2, type: "webhooks.save", webhook: { ...webhook, conditions: { contact: true } } }), /contact/);
  const tested = { ok: true, status: 200, latency_ms: 80, error: null, values_from: "sample", found: true, contact: { id: "42", name: "A", company: null, url: null }, answer_head: "{}" };
  assert.equal(protocol.checkReply({ id: 3, ok: true, result: tested }, "webhooks.test"), null);
  assert.match(protocol.checkReply({ id: 3, ok: true, result: { ...tested, contact: "Anna" } }, "webhooks.test"), /contact/);
});
