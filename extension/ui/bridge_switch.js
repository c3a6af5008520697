// Options page: the page-bridge switch (setting pageBridge, off by default; managed storage may fix it).
const api = globalThis.browser || globalThis.chrome;

/** Show the effective value in `box`, disabled with `note` when the administrator fixed it; save changes to storage.local. */
export function initBridgeSwitch({ box, note }, effective, showState) {
  const fixed = effective.managed.includes("pageBridge");
  box.checked = Boolean(effective.pageBridge);
  box.disabled = fixed;
  note.hidden = !fixed;
  box.addEventListener("change", async () => {
    showState("saveSaving");
    try {
      await api.storage.local.set({ pageBridge: box.checked }); // content scripts ask again on this change
      showState("saveSaved");
    } catch (error) {
      showState("saveError", error.message);
    }
  });
}
