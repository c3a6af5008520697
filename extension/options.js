// Options page: UCC client addresses (with a permission button per origin), queue rule, user name, page bridge, caller card (asks for notifications), default region (a host setting).
//
// Stable hooks for Selenium: #origin-input, #add-origin, #origin-error,
//   #origin-list > li[data-testid=origin][data-origin=<match pattern>][data-managed] with
//   origin-permission[data-granted=true|false], grant-origin, remove-origin, watch-workers (checkbox: watchWorkerOrigins);
//   #watch-workers-help (what a watched worker can notice);
//   #queue-header, #queue-pattern, #queue-error, #user-name, #page-bridge (#bridge-managed),
//   #caller-card (switch; data-ready once it shows the setting), #caller-card-denied, #caller-card-managed,
//   #default-region, #region-error,
//   #settings-state (Saving… / Saved / error), #policy-banner, #host-version (host and extension version, or why the host is unreachable).
// Headless Chromium cannot answer the permission prompt: tests grant host access in a manifest copy (ARCHITECTURE.md).
import { checkOriginInput, portless } from "./common/origins.js";
import { errorText, loadReasonPositions, localize, t } from "./ui/i18n.js";
import { request, settings as readSettings, status as hostStatus, syncScripts } from "./ui/host.js";
import { permissionGranted, switchOff, switchOn } from "./ui/caller_card.js";
import { initBridgeSwitch } from "./ui/bridge_switch.js";

const api = globalThis.browser || globalThis.chrome;
const $ = (id) => document.getElementById(id);
let effective = null;

function showState(key, ...subs) {
  $("settings-state").textContent = key ? t(key, ...subs) : "";
}

async function localOrigins() {
  const { uccOrigins } = await api.storage.local.get("uccOrigins");
  return Array.isArray(uccOrigins) ? uccOrigins : [];
}

async function renderOrigins() {
  const mine = await localOrigins();
  const managed = effective.uccOrigins.filter((o) => !mine.map(portless).includes(o));
  const rows = [];
  for (const pattern of [...managed, ...mine]) {
    const li = document.createElement("li");
    li.dataset.testid = "origin";
    li.dataset.origin = pattern;
    li.dataset.managed = String(managed.includes(pattern));
    const text = document.createElement("span");
    text.className = "pattern";
    text.textContent = pattern;
    const granted = await api.permissions.contains({ origins: [portless(pattern)] });
    const perm = document.createElement("span");
    perm.dataset.testid = "origin-permission";
    perm.dataset.granted = String(granted);
    perm.textContent = t(granted ? "originGranted" : "originNotGranted");
    const grant = document.createElement("button");
    grant.type = "button";
    grant.dataset.testid = "grant-origin";
    grant.textContent = t("grantOrigin");
    grant.hidden = granted;
    grant.addEventListener("click", () => ask(pattern)); // must stay synchronous: a user gesture
    li.append(text, perm, grant, watchSwitch(pattern));
    if (managed.includes(pattern)) {
      const note = document.createElement("span");
      note.className = "managed-note";
      note.textContent = t("managedByAdmin");
      li.append(note);
    } else {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.dataset.testid = "remove-origin";
      remove.textContent = t("removeOrigin");
      remove.addEventListener("click", () => saveOrigins(mine.filter((o) => o !== pattern)));
      li.append(remove);
    }
    rows.push(li);
  }
  $("origin-list").replaceChildren(...rows);
}

/** The origin's "watch sockets in workers" switch (watchWorkerOrigins); fixed when the policy sets the list. */
function watchSwitch(pattern) {
  const label = document.createElement("label");
  label.className = "switch";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.dataset.testid = "watch-workers";
  box.checked = effective.watchWorkerOrigins.includes(pattern);
  box.disabled = effective.managed.includes("watchWorkerOrigins");
  box.setAttribute("aria-describedby", "watch-workers-help");
  box.addEventListener("change", () => saveWatching(pattern, box.checked));
  const words = document.createElement("span");
  words.textContent = t("watchWorkersLabel");
  label.append(box, words);
  return label;
}

async function saveWatching(pattern, on) {
  showState("saveSaving");
  const { watchWorkerOrigins } = await api.storage.local.get("watchWorkerOrigins");
  const mine = (Array.isArray(watchWorkerOrigins) ? watchWorkerOrigins : []).filter((o) => o !== pattern);
  await api.storage.local.set({ watchWorkerOrigins: on ? [...mine, pattern] : mine }); // the worker re-registers on this change
  effective = await readSettings();
  showState("saveSaved");
}

/** Ask for host access to one origin (the prompt needs the click's user gesture), then re-register the observer.
 * Asked without the port: Firefox ignores host permissions that name one; the worker checks the port. */
function ask(pattern) {
  return api.permissions.request({ origins: [portless(pattern)] }).then(async (granted) => {
    if (granted) await syncScripts();
    await renderOrigins();
  }, (error) => showState("saveError", error.message));
}

async function saveOrigins(origins) {
  showState("saveSaving");
  const { watchWorkerOrigins } = await api.storage.local.get("watchWorkerOrigins");
  const watching = (Array.isArray(watchWorkerOrigins) ? watchWorkerOrigins : []).filter((o) => origins.includes(o)); // a removed address's switch goes with it
  await api.storage.local.set({ uccOrigins: [...new Set(origins)], watchWorkerOrigins: watching }); // the worker re-registers on this change
  effective = await readSettings();
  await renderOrigins();
  showState("saveSaved");
}

function addOrigin() {
  const typed = $("origin-input").value;
  const { pattern, error } = checkOriginInput(typed);
  $("origin-error").hidden = Boolean(pattern);
  if (!pattern) {
    $("origin-error").textContent = error === "invalid" ? t("originInvalid", typed) : t(`originTooBroad_${error}`);
    return;
  }
  ask(pattern); // first, while the click still counts as a user gesture; the prompt may stay open
  $("origin-input").value = "";
  localOrigins().then((mine) => saveOrigins([...mine, pattern]));
}

function debounce(fn, ms = 600) {
  let timer = null;
  return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
}

const saveQueueAndUser = debounce(async () => {
  const header = $("queue-header").value.trim() || null;
  const pattern = $("queue-pattern").value.trim() || null;
  try {
    if (pattern) new RegExp(pattern);
    $("queue-error").hidden = true;
  } catch (error) {
    $("queue-error").textContent = t("queuePatternInvalid", error.message);
    $("queue-error").hidden = false;
    return;
  }
  showState("saveSaving");
  await api.storage.local.set({ queueRule: { header, displayNamePattern: pattern }, userName: $("user-name").value.trim() || null });
  showState("saveSaved");
});

const saveRegion = debounce(async () => {
  const region = $("default-region").value.trim().toUpperCase();
  const error = $("region-error");
  if (region && !/^[A-Z]{2}$/.test(region)) {
    error.textContent = t("regionInvalid");
    error.hidden = false;
    return;
  }
  showState("saveSaving");
  try {
    await request("settings.set", { settings: { default_region: region || null } });
    error.hidden = true;
    showState("saveSaved");
  } catch (e) {
    error.textContent = e.code === "validation_error" ? errorText(e) : t("regionNeedsHost", errorText(e));
    error.hidden = false;
    showState("saveError", errorText(e));
  }
});

/** The caller card's switch: on = the setting and the permission; switching on asks for the permission inside the click. */
async function setUpCallerCard() {
  const box = $("caller-card");
  let granted = await permissionGranted();
  const fixed = effective.managed.includes("callerCard");
  box.checked = effective.callerCard && granted;
  box.disabled = fixed;
  $("caller-card-managed").hidden = !fixed;
  box.dataset.ready = "true";
  box.addEventListener("change", () => {
    $("caller-card-denied").hidden = true;
    if (!box.checked) {
      showState("saveSaving");
      switchOff().then(() => showState("saveSaved"));
      return;
    }
    switchOn({ granted }).then((on) => { // the permission is asked at once, inside the click
      granted = granted || on;
      box.checked = on;
      $("caller-card-denied").hidden = on;
      showState(on ? "saveSaved" : "");
    });
  });
}

async function showHostVersion() {
  const extension = api.runtime.getManifest().version;
  try {
    const status = await hostStatus();
    $("host-version").textContent = status.state === "connected"
      ? t("hostVersionText", status.hostVersion, extension) : t("hostUnreachable", errorText(status.error || {}));
  } catch (e) {
    $("host-version").textContent = t("hostUnreachable", errorText(e));
  }
}

async function main() {
  localize();
  loadReasonPositions();
  showHostVersion();
  effective = await readSettings();
  const local = await api.storage.local.get(["queueRule", "userName"]);
  const rule = effective.managed.includes("queueRule") ? effective.queueRule : local.queueRule || {};
  $("queue-header").value = rule.header || "";
  $("queue-pattern").value = rule.displayNamePattern || "";
  $("user-name").value = effective.userName || "";
  for (const [key, ids, note] of [["queueRule", ["queue-header", "queue-pattern"], "queue-managed"], ["userName", ["user-name"], "user-managed"]]) {
    const fixed = effective.managed.includes(key);
    for (const id of ids) $(id).disabled = fixed;
    $(note).hidden = !fixed;
  }
  initBridgeSwitch({ box: $("page-bridge"), note: $("bridge-managed") }, effective, showState);
  $("policy-banner").hidden = effective.webhooksEnabled;
  await renderOrigins();
  await setUpCallerCard();
  for (const id of ["queue-header", "queue-pattern", "user-name"]) $(id).addEventListener("input", saveQueueAndUser);
  $("default-region").addEventListener("input", saveRegion);
  $("add-origin").addEventListener("click", addOrigin);
  $("origin-input").addEventListener("keydown", (e) => { if (e.key === "Enter") addOrigin(); });
  request("settings.get").then(({ settings }) => { $("default-region").value = settings.default_region || ""; }, (e) => {
    $("region-error").textContent = t("regionNeedsHost", errorText(e));
    $("region-error").hidden = false;
  });
}

main();
