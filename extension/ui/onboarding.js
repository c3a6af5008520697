// Onboarding: finds the first broken link (host, host version, UCC address, access, unobserved tab) and offers the one action that fixes it.
import { errorText, t } from "./i18n.js";
import { browserName } from "./host.js";
import { urlMatches } from "../common/origins.js";

// The README's install section, at the project's documentation address (pyproject.toml [project.urls]).
export const INSTALL_GUIDE_URL = "https://uccwebhooks.org/docs/#install-for-real-users";

/** The commands that install and register the host for this browser (README, "Install"). */
export function installCommands(nav) {
  return ["pipx install .", `ucc-webhooks install --browser ${browserName(nav)}`, "ucc-webhooks doctor"].join("\n");
}

/**
 * UCC tabs whose page runs workers and opened no SIP socket of its own (bg/page_state.js), on an
 * origin whose workers are not watched: their phone may live in a worker. Returns [{tab, origin}].
 * input: {states ({tabId: {workers, sipSeen}}), tabs (open tabs), origins (configured), watching (watchWorkerOrigins)}.
 */
export function unwatchedWorkerTabs({ states = {}, tabs = [], origins = [], watching = [] }) {
  const out = [];
  for (const tab of tabs) {
    const state = states[tab.id];
    if (!state || !(state.workers > 0) || state.sipSeen) continue;
    const origin = origins.find((o) => urlMatches([o], tab.url || ""));
    if (origin && !watching.includes(origin)) out.push({ tab, origin });
  }
  return out;
}

/**
 * The first broken link, in the order a set-up is done, or null when all is well:
 * {step: no_host|forbidden|host_old|host_error|no_address|not_granted|tab_unobserved|workers_unwatched, ...details}.
 * input: {status (host.status), origins (configured patterns), granted (origins with access), unobserved (tabs),
 * workerTabs (unwatchedWorkerTabs), watchingManaged (the policy sets watchWorkerOrigins)}.
 */
export function onboardingStep({ status, origins = [], granted = [], unobserved = [], workerTabs = [], watchingManaged = false }) {
  const error = status && status.error;
  const state = status && status.state;
  if (error && error.code === "host_not_found") return { step: "no_host" };
  if (error && error.code === "host_forbidden") return { step: "forbidden" };
  if (error && error.code === "host_incompatible") {
    const m = /host (\S+) does not/.exec(error.message || "");
    return { step: "host_old", hostVersion: (m && m[1]) || status.hostVersion || "?" };
  }
  if (error && state !== "connected" && state !== "connecting") return { step: "host_error", error };
  if (!origins.length) return { step: "no_address" };
  const missing = origins.find((o) => !granted.includes(o));
  if (missing) return { step: "not_granted", origin: missing };
  if (unobserved.length) return { step: "tab_unobserved", tab: unobserved[0] };
  if (workerTabs.length) return { step: "workers_unwatched", tab: workerTabs[0].tab, origin: workerTabs[0].origin, managed: watchingManaged };
  return null;
}

/** Show a step in the onboarding box; actions: {openOptions(), grant(origin), reload(tab), watchWorkers(origin, tab)}. */
export function renderOnboarding(found, els, actions, { extensionVersion = "", nav } = {}) {
  const { box, text, command, copy, link, action } = els;
  box.hidden = !found;
  box.dataset.step = found ? found.step : "";
  command.hidden = copy.hidden = link.hidden = action.hidden = true;
  action.onclick = null;
  if (!found) return;
  const commandFor = {
    no_host: installCommands(nav), forbidden: `ucc-webhooks install --browser ${browserName(nav)}\nucc-webhooks doctor`,
    host_old: installCommands(nav), host_error: "ucc-webhooks doctor",
  };
  const words = {
    no_host: () => t("obNoHost"),
    forbidden: () => t("obForbidden"),
    host_old: () => t("obHostOld", found.hostVersion, extensionVersion),
    host_error: () => t("obHostError", errorText(found.error)),
    no_address: () => t("obNoAddress"),
    not_granted: () => t("obNotGranted", found.origin),
    tab_unobserved: () => t("obTabUnobserved", (found.tab && (found.tab.title || found.tab.url)) || ""),
    workers_unwatched: () => t(found.managed ? "obWorkersUnwatchedManaged" : "obWorkersUnwatched",
      (found.tab && (found.tab.title || found.tab.url)) || "", found.origin),
  };
  text.textContent = words[found.step]();
  if (commandFor[found.step]) {
    command.textContent = commandFor[found.step];
    command.hidden = copy.hidden = false;
    link.hidden = found.step === "host_error";
    link.href = INSTALL_GUIDE_URL;
    return;
  }
  const fix = {
    no_address: ["obNoAddressAction", () => actions.openOptions()],
    not_granted: ["obNotGrantedAction", () => actions.grant(found.origin)],
    tab_unobserved: ["obTabUnobservedAction", () => actions.reload(found.tab)],
    workers_unwatched: found.managed ? null : ["obWorkersUnwatchedAction", () => actions.watchWorkers(found.origin, found.tab)],
  }[found.step];
  if (!fix) return; // the administrator decides: nothing to click here
  action.textContent = t(fix[0]);
  action.hidden = false;
  action.onclick = fix[1]; // synchronous: permissions.request needs the click's user gesture
}
