// Checks across the extension's files: manifest and fixed ids, locales complete in en and de, no UI text outside _locales, file conventions.
import test from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { EXT, ROOT } from "./helpers/page.js";

const read = (p) => fs.readFileSync(path.join(EXT, p), "utf8");
const manifest = JSON.parse(read("manifest.json"));
const en = JSON.parse(read("_locales/en/messages.json"));
const de = JSON.parse(read("_locales/de/messages.json"));

function files(dir = EXT) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
const rel = (p) => path.relative(EXT, p);
const sources = files().filter((f) => /\.(js|html|css)$/.test(f));

test("the manifest key gives the fixed extension id the host manifest names", () => {
  const digest = crypto.createHash("sha256").update(Buffer.from(manifest.key, "base64")).digest("hex").slice(0, 32);
  const id = [...digest].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join("");
  assert.equal(id, "amlncininjibhhckajeabpanpcfpeeig");
  const constants = fs.readFileSync(path.join(ROOT, "host/ucc_webhooks/constants.py"), "utf8");
  assert.ok(constants.includes(`"${id}"`), "host constants name the same id");
  assert.ok(constants.includes(`"${manifest.browser_specific_settings.gecko.id}"`), "and the same Firefox id");
  assert.ok(constants.includes(`VERSION = "${manifest.version}"`), "and the same version");
});

test("one manifest serves Chromium (service worker) and Firefox (background scripts)", () => {
  assert.equal(manifest.manifest_version, 3);
  assert.deepEqual(manifest.background, { service_worker: "background.js", scripts: ["background.js"], type: "module" });
  assert.equal(manifest.browser_specific_settings.gecko.id, "ucc-webhooks@uccwebhooks.org");
  for (const p of ["nativeMessaging", "storage", "scripting", "alarms"]) assert.ok(manifest.permissions.includes(p), p);
  assert.equal(manifest.host_permissions, undefined, "host access is asked per origin");
  const schema = JSON.parse(read(manifest.storage.managed_schema));
  assert.deepEqual(Object.keys(schema.properties).sort(), ["WEBHOOKS_ENABLED", "callerCard", "pageBridge", "queueRule", "uccOrigins", "userName", "watchWorkerOrigins"]);
  // a new permission with a warning would disable the extension for users who update: asked for when the caller card is switched on
  assert.deepEqual(manifest.optional_permissions, ["notifications"]);
  assert.ok(!manifest.permissions.includes("notifications"));
});

test("every file the manifest and the pages refer to exists", () => {
  const referenced = [manifest.background.service_worker, manifest.action.default_popup, manifest.options_ui.page,
    ...Object.values(manifest.icons), ...Object.values(manifest.action.default_icon)];
  for (const html of ["popup.html", "options.html"]) {
    for (const m of read(html).matchAll(/(?:src|href)="([^"]+)"/g)) referenced.push(m[1]);
  }
  for (const js of sources.filter((f) => f.endsWith(".js"))) {
    for (const m of fs.readFileSync(js, "utf8").matchAll(/^import .*?"(\.[^"]+)"/gm)) {
      referenced.push(path.relative(EXT, path.resolve(path.dirname(js), m[1])));
    }
  }
  for (const file of referenced) assert.ok(fs.existsSync(path.join(EXT, file)), `missing ${file}`);
});

test("en and de have the same messages with the same placeholders", () => {
  assert.deepEqual(Object.keys(de).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    assert.deepEqual(Object.keys(de[key].placeholders || {}), Object.keys(en[key].placeholders || {}), key);
    for (const name of Object.keys(en[key].placeholders || {})) {
      assert.ok(de[key].message.toLowerCase().includes(`$${name}$`), `${key}: de lacks $${name}$`);
      assert.equal(de[key].placeholders[name].content, en[key].placeholders[name].content, `${key}: ${name} order`);
    }
  }
});

test("every message key the pages use exists", () => {
  const used = new Set(["extName", "extDescription"]);
  for (const file of sources) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/\bt\("([A-Za-z_]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/t\(\w+ \? "([A-Za-z_]+)" : "([A-Za-z_]+)"\)/g)) { used.add(m[1]); used.add(m[2]); }
  }
  // the host's vocabulary, as hello brings it: every trigger and action it offers has its label
  const hello = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/protocol/hello.reply.json"), "utf8")).result;
  for (const t of hello.triggers) used.add(`trigger_${t.id}`);
  for (const id of hello.actions) used.add(`action_${id}`);
  for (const state of ["delivered", "failed"]) used.add(`deliveryState_${state}`);
  for (const key of used) assert.ok(en[key], `message ${key} missing`);
});

test("the HTML pages hold no text of their own: all of it comes from _locales", () => {
  for (const html of ["popup.html", "options.html"]) {
    const text = read(html).replace(/<!--[\s\S]*?-->/g, "").replace(/<script[\s\S]*?<\/script>/g, "");
    for (const m of text.matchAll(/<([a-z0-9]+)([^>]*)>([^<]*)</g)) {
      const [, tag, attrs, inner] = m;
      if (inner.trim()) assert.ok(/data-i18n="/.test(attrs), `${html}: text "${inner.trim()}" in <${tag}> is not translated`);
    }
    for (const m of text.matchAll(/\s(placeholder|title|aria-label)="([^"]*)"/g)) assert.fail(`${html}: ${m[1]}="${m[2]}" should use data-i18n-${m[1]}`);
  }
});

test("every source file opens with a one-line comment saying what it is for", () => {
  for (const file of sources) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const first = file.endsWith(".html") ? lines[1] : lines[0];
    assert.match(first, /^(\/\/ |\/\* |<!-- )\S.{10,}/, rel(file));
  }
});

test("modules stay small, only bg/port.js connects to the host, and nothing polls with setInterval", () => {
  for (const file of sources.filter((f) => f.endsWith(".js"))) {
    const text = fs.readFileSync(file, "utf8");
    assert.ok(text.split("\n").length < 300, `${rel(file)} has ${text.split("\n").length} lines`);
    if (rel(file) !== "bg/port.js") assert.ok(!/connectNative\(/.test(text), `${rel(file)} calls connectNative`);
    assert.ok(!/setInterval\(/.test(text), `${rel(file)} uses setInterval`);
  }
});

test("every error code the extension raises is a known, stable one", async () => {
  const { HOST_ERRORS, PORT_ERRORS } = await import("../../extension/common/protocol.js");
  const known = new Set([...HOST_ERRORS, ...PORT_ERRORS]);
  for (const file of ["bg/port.js", "bg/handlers.js", "ui/host.js"]) {
    const text = read(file);
    const codes = [...text.matchAll(/new HostError\("([a-z_]+)"|code: "([a-z_]+)"|disconnectCode[\s\S]*?return "([a-z_]+)"/g)].map((m) => m[1] || m[2] || m[3]);
    for (const code of codes) assert.ok(known.has(code), `${file} raises unknown code ${code}`);
  }
  for (const m of read("bg/port.js").matchAll(/return "(host_[a-z_]+|disconnected)"/g)) assert.ok(known.has(m[1]), m[1]);
});
