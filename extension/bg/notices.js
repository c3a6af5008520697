// Host notices: open_tab opens a tab (http/https only, within the tab cap), delivery updates the failure badge, policy updates the switch state, contact goes to the caller card.
import { isHttpUrl } from "../common/protocol.js";

/** Badge text for deliveries that failed for good ("" hides the badge). */
export function badgeText(failedCount) {
  if (!Number.isInteger(failedCount) || failedCount <= 0) return "";
  return failedCount > 99 ? "99+" : String(failedCount);
}

/** A dispatch table from notice type to handler. deps: {tabs, action, broadcast(message), state, admitTab, onContact (bg/caller_card.js)}. */
export function createNoticeHandlers({ tabs, action, broadcast, state, admitTab = () => true, onContact = () => {} }) {
  function setBadge(count) {
    state.failedCount = count;
    action.setBadgeBackgroundColor({ color: "#b3261e" }).catch(() => {});
    action.setBadgeText({ text: badgeText(count) }).catch(() => {});
  }
  return {
    setBadge,
    handlers: {
      open_tab(notice) {
        if (!isHttpUrl(notice.url)) return; // checked on the host too; never open anything else
        if (!admitTab(notice)) return; // over the cap on tabs per minute, or this delivery opened one already
        tabs.create({ url: notice.url, active: true }).catch((error) => {
          console.warn("ucc-webhooks: could not open tab:", error && error.message);
        });
      },
      delivery(notice) {
        setBadge(notice.failed_count);
        broadcast({ type: "ucc-webhooks:delivery", delivery: notice.delivery, failed_count: notice.failed_count });
      },
      contact(notice) {
        onContact(notice);
      },
      policy(notice) {
        state.hostEnabled = notice.webhooks_enabled;
        broadcast({ type: "ucc-webhooks:policy", webhooks_enabled: notice.webhooks_enabled });
      },
    },
  };
}
