// "My code" (templates/talentcode/my_code.html): keeps the page on the phone through its service worker,
// so that the code opens without a connection, and keeps the screen awake while the code is shown.
(function () {
  "use strict";
  const root = document.querySelector("[data-my-code]");
  if (!root) return;
  const status = root.querySelector("[data-offline-status]");

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.worker, { scope: root.dataset.scope })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        // The first visit is not controlled by the worker yet: ask it to keep this page now.
        if (registration.active) registration.active.postMessage({ type: "keep-page" });
        if (status) status.textContent = status.dataset.ready;
      })
      .catch(() => { /* no offline copy: the page still works online */ });
  }

  // A scanner may take a moment: keep the screen on while the code is in view.
  let lock = null;
  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then((sentinel) => { lock = sentinel; }).catch(() => {});
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && (lock === null || lock.released)) keepAwake();
  });
  keepAwake();
})();
