// The extension's messages: every key in both languages with the same placeholders, every $NAME$ defined, every data-i18n key present.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EXT } from "./helpers/page.js";

const load = (lang) => JSON.parse(fs.readFileSync(path.join(EXT, "_locales", lang, "messages.json"), "utf8"));
const en = load("en");
const de = load("de");

test("every message key exists in English and in German", () => {
  const missingDe = Object.keys(en).filter((k) => !(k in de));
  const missingEn = Object.keys(de).filter((k) => !(k in en));
  assert.deepEqual({ missingDe, missingEn }, { missingDe: [], missingEn: [] });
});

test("both languages use the same placeholders in the same positions, and every $NAME$ is defined", () => {
  const problems = [];
  for (const [lang, messages] of [["en", en], ["de", de]]) {
    for (const [key, entry] of Object.entries(messages)) {
      if (typeof entry.message !== "string" || !entry.message.trim()) problems.push(`${lang} ${key}: empty`);
      const defined = Object.keys(entry.placeholders || {});
      for (const [, name] of entry.message.matchAll(/\$([A-Za-z_]+)\$/g)) {
        if (!defined.includes(name.toLowerCase())) problems.push(`${lang} ${key}: $${name}$ has no placeholder`);
      }
    }
  }
  for (const key of Object.keys(en).filter((k) => k in de)) {
    assert.deepEqual(de[key].placeholders || {}, en[key].placeholders || {}, `${key}: placeholders differ`);
  }
  assert.deepEqual(problems, []);
});

test("every data-i18n key in the pages and every t()/label key in the scripts exists", () => {
  const keys = new Set();
  for (const page of ["popup.html", "options.html"]) {
    const html = fs.readFileSync(path.join(EXT, page), "utf8");
    for (const [, key] of html.matchAll(/data-i18n(?:-[a-z-]+)?="([A-Za-z0-9_]+)"/g)) keys.add(key);
  }
  const scripts = ["popup.js", "options.js", ...fs.readdirSync(path.join(EXT, "ui")).filter((f) => f.endsWith(".js")).map((f) => `ui/${f}`)];
  for (const file of scripts) {
    const code = fs.readFileSync(path.join(EXT, file), "utf8");
    for (const [, key] of code.matchAll(/\bt\("([A-Za-z0-9_]+)"/g)) keys.add(key);
  }
  const missing = [...keys].filter((k) => !(k in en));
  assert.deepEqual(missing, []);
});

test("every trigger, action and delivery state has a label in both languages", () => {
  const hello = JSON.parse(fs.readFileSync(path.join(EXT, "../tests/fixtures/protocol/hello.reply.json"), "utf8")).result;
  const ids = [
    ...hello.triggers.map((x) => `trigger_${x.id}`), "trigger_incoming_call_answered_elsewhere", "trigger_call_transferred",
    ...hello.actions.map((a) => `action_${a}`),
    ...["delivered", "failed", "pending", "cancelled", "opened", "dropped", "found", "not_found"].map((s) => `deliveryState_${s}`),
  ];
  assert.deepEqual(ids.filter((k) => !(k in en) || !(k in de)), []);
  // labels, not the manual's instructions: German trigger labels start with a capital and are not infinitives
  for (const id of ids.filter((k) => k.startsWith("trigger_"))) {
    assert.match(de[id].message, /^[A-ZÄÖÜ]/, id);
    assert.doesNotMatch(de[id].message, /(annehmen|auflegen|starten|verpasst werden)$/, id);
  }
});
