// The shared protocol fixtures (tests/fixtures/protocol, also checked by the host's models) against extension/common/protocol.js.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./helpers/page.js";
import * as protocol from "../../extension/common/protocol.js";

const DIR = path.join(ROOT, "tests/fixtures/protocol");
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
const load = (name) => JSON.parse(fs.readFileSync(path.join(DIR, name), "utf8"));

test("there are fixtures for every request type", () => {
  for (const type of protocol.REQUEST_TYPES) {
    if (type === "call_event" || files.includes(`${type}.request.json`)) continue;
    assert.fail(`no fixture ${type}.request.json`);
  }
  assert.ok(files.includes("call_event.request.json"));
});

for (const file of files) {
  test(`fixture ${file} satisfies the extension's protocol module`, () => {
    const message = load(file);
    const [head, kind] = file.replace(/\.json$/, "").split(/\.(request|reply|error)$/);
    if (file.startsWith("notice.")) {
      assert.equal(protocol.checkNotice(message), null);
      assert.ok(protocol.NOTICE_TYPES.includes(message.type));
    } else if (kind === "request") {
      assert.equal(protocol.checkRequest(message), null);
      assert.equal(load(`${head}.reply.json`).id, message.id, "request and reply ids pair up");
    } else if (kind === "reply" || kind === "error") {
      assert.equal(protocol.checkReply(message, head), null);
    } else if (file.startsWith("error.")) {
      assert.equal(protocol.checkReply(message, null), null);
      assert.equal(message.ok, false);
      assert.ok(protocol.HOST_ERRORS.includes(message.error.code), message.error.code);
    } else {
      assert.fail(`fixture name not understood: ${file}`);
    }
  });
}

test("the CallEvent in call_event.request.json is exactly the shape the observer emits", () => {
  const { event } = load("call_event.request.json");
  const checked = protocol.checkCallEvent(event);
  assert.ok(checked.ok, checked.error);
  assert.deepEqual(Object.keys(event).sort(), [...globalThis.__uccWebhooks.callEvent.FIELDS].sort());
});

test("validation errors carry the field the popup shows the message at", () => {
  const reply = load("webhooks.save.error.json");
  assert.equal(reply.error.code, "validation_error");
  assert.equal(reply.error.field, "url");
});

test("hello gives everything the popup builds its forms from", () => {
  const { result } = load("hello.reply.json");
  for (const t of result.triggers) {
    assert.match(t.id, /^[a-z][a-z0-9_]*$/);
    assert.ok(["incoming", "outgoing", "either"].includes(t.direction), t.id);
    assert.ok(Array.isArray(t.placeholders) && Array.isArray(t.conditions) && t.conditions.includes("numbers"), t.id);
  }
  assert.ok(result.actions.length && result.content_types.length);
});

test("masked values in lists are the mask the popup sends back unchanged", () => {
  const admin = load("webhooks.list.reply.json").result.webhooks.find((w) => w.origin === "admin");
  assert.equal(admin.secret, protocol.MASK);
  assert.equal(admin.headers.Authorization, protocol.MASK);
});

// --- the checks can fail -------------------------------------------------------------------------
test("bad CallEvents are refused, each for its reason", () => {
  const good = load("call_event.request.json").event;
  const bad = {
    // which trigger ids exist, and what each implies (direction, queue, duration), the host checks
    "not a trigger id": { ...good, trigger: "Call happened!" },
    "empty call_id": { ...good, call_id: "" },
    "no direction": { ...good, direction: "sideways" },
    "string time": { ...good, started_at: "1764000000" },
    "no start": { ...good, started_at: null },
    "fractional duration": { ...good, duration: 1.5 },
    "negative duration": { ...good, duration: -1 },
    "number as caller": { ...good, caller: 4930 },
    "array": [good],
  };
  for (const [why, event] of Object.entries(bad)) assert.equal(protocol.checkCallEvent(event).ok, false, why);
  const copy = protocol.checkCallEvent({ ...good, extra: "<script>" }).event;
  assert.equal(copy.extra, undefined, "unknown fields are dropped");
});

test("bad requests, replies and notices are refused", () => {
  assert.match(protocol.checkRequest({ id: 1, type: "webhooks.frobnicate" }), /unknown type/);
  assert.match(protocol.checkRequest({ type: "hello", extension_version: "0.1.0" }), /id/);
  assert.match(protocol.checkRequest({ id: 3, type: "webhooks.save", webhook: { trigger: 5, action: "get", url: "" } }), /trigger/);
  assert.match(protocol.checkReply({ id: 1, ok: true, result: { host_version: "0.1.0" } }, "hello"), /webhooks_enabled/);
  assert.match(protocol.checkReply({ id: 1, ok: false, error: { code: "x" } }), /error/);
  assert.match(protocol.checkReply({ id: 1, result: {} }), /ok/);
  assert.match(protocol.checkNotice({ type: "open_tab", url: "javascript:alert(1)" }), /http/);
  assert.match(protocol.checkNotice({ type: "open_tab", url: "file:///etc/passwd" }), /http/);
  assert.match(protocol.checkNotice({ id: 4, type: "policy", webhooks_enabled: true }), /without id/);
  assert.match(protocol.checkNotice({ type: "delivery", delivery: {} }), /delivery/);
});

test("a refusal carries a reason code and string params for the pages to translate", () => {
  const reply = load("settings.set.error.json");
  assert.equal(protocol.checkReply(reply, "settings.set"), null);
  assert.equal(reply.error.reason, "region_unknown");
  assert.match(protocol.checkReply({ ...reply, error: { ...reply.error, params: { region: 5 } } }, "settings.set"), /params/);
});
