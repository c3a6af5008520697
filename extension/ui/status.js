// Host status line (connected + version, or what is wrong and the one command that fixes it) and the WEBHOOKS_ENABLED banner.
import { errorText, t } from "./i18n.js";
import { installCommand } from "./host.js";

/** Render a host.status result into the status section and the policy banner. */
export function renderStatus(status, { section, text, command, banner }) {
  const error = status.error;
  let state = status.state;
  let message;
  let fix = null;
  if (state === "connected") {
    message = t("statusConnected", status.hostVersion);
  } else if (state === "connecting" || state === "idle") {
    message = t("statusConnecting");
  } else if (error && error.code === "host_not_found") {
    state = "not_installed";
    message = t("statusNotInstalled");
    fix = installCommand();
  } else if (error && error.code === "host_forbidden") {
    state = "forbidden";
    message = t("statusForbidden");
    fix = installCommand();
  } else if (error && error.code === "host_incompatible") {
    state = "incompatible";
    message = t("statusIncompatible", error.message);
    fix = installCommand();
  } else {
    state = "error";
    message = t("statusError", errorText(error || {}));
    fix = "ucc-webhooks doctor";
  }
  if (status.queued) message += " " + t("statusQueued", status.queued);
  section.dataset.state = state;
  text.textContent = message;
  command.hidden = !fix;
  command.textContent = fix || "";
  const off = status.policyEnabled === false || status.hostEnabled === false;
  banner.hidden = !off;
  return state;
}
