// Loads the extension's classic scripts into a fresh node:vm context, as the browser injects them into a world.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const EXT = path.join(ROOT, "extension");

export const PAGE_SCRIPTS = ["common/call_event.js", "page/sip.js", "page/calls.js", "page/disguise.js", "page/observer.js", "page/rescue.js",
  "page/bootstrap.js", "page/workers.js", "page/reach.js"];

/** Run the given extension files in a new context whose global has `globals`; returns the context. */
export function loadScripts(files, globals = {}) {
  return runScripts(vm.createContext({ console, ...globals }), files);
}

/** Run extension files in an existing vm context (one world, several scripts, as injected in order). */
export function runScripts(context, files) {
  for (const file of files) {
    const code = fs.readFileSync(path.join(EXT, file), "utf8");
    vm.runInContext(code, context, { filename: file });
  }
  return context;
}

/** The namespace the page scripts attach to, in a fresh context. */
export function pageNamespace(globals = {}) {
  return loadScripts(PAGE_SCRIPTS, globals).__uccWebhooks;
}

/** Join SIP lines with CRLF and end the head with an empty line (what a stack puts on the wire). */
export function sipMessage(lines, body = "") {
  return lines.join("\r\n") + "\r\n\r\n" + body;
}
