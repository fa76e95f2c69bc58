// A page waiting for background work (a job, analytics being computed) asks its JSON status every two
// seconds, shows the progress it reports, and reloads once the work is over: no timed refresh of the page.
(() => {
  const waiting = document.querySelector("[data-wait-url]");
  if (!waiting) return;
  const bar = waiting.querySelector(".progress-bar");
  const step = waiting.querySelector("[data-wait-step]");
  function poll() {
    fetch(waiting.dataset.waitUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((state) => {
        if (!state) return;
        if (state.finished) {
          window.location.reload();
          return;
        }
        if (bar && state.total) {
          const percent = Math.round((100 * state.done) / state.total);
          bar.style.width = percent + "%";
          bar.parentElement.setAttribute("aria-valuenow", percent);
        }
        if (step && state.step) step.textContent = state.step;
      })
      .catch(() => {})
      .finally(() => setTimeout(poll, 2000));
  }
  setTimeout(poll, 2000);
})();
