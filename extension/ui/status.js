// The host status line (connected + version, connecting, or what is wrong in one line) and the WEBHOOKS_ENABLED banner.
import { t } from "./i18n.js";

/** The state a host.status result stands for: connected, connecting, not_installed, forbidden, incompatible or error. */
export function hostState(status) {
  const code = status.error && status.error.code;
  if (status.state === "connected") return "connected";
  if (status.state === "connecting" || status.state === "idle" || !status.state) return "connecting";
  return { host_not_found: "not_installed", host_forbidden: "forbidden", host_incompatible: "incompatible" }[code] || "error";
}

/** Render a host.status result into the status line and the policy banner; returns the state. */
export function renderStatus(status, { section, text, banner }) {
  const state = hostState(status);
  const words = {
    connected: () => t("statusConnected", status.hostVersion),
    connecting: () => t("statusConnecting"),
    not_installed: () => t("statusNotInstalled"),
    forbidden: () => t("obForbidden"),
    incompatible: () => t("statusIncompatible", (status.error && status.error.message) || ""),
    error: () => t("error_disconnected"),
  };
  let message = words[state]();
  if (status.queued) message += " " + t("statusQueued", status.queued);
  section.dataset.state = state;
  text.textContent = message;
  banner.hidden = !(status.policyEnabled === false || status.hostEnabled === false);
  return state;
}
