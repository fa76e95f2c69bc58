// Organizer's badge page: follow background print runs until they are ready or failed.
(function () {
  "use strict";
  const list = document.querySelector("[data-testid=jobs]");
  if (!list) return;
  const states = JSON.parse(list.dataset.states || "{}");

  function show(item, job) {
    item.dataset.status = job.status;
    item.querySelector(".job-state").textContent = states[job.status] || job.status;
    const bar = item.querySelector(".progress-bar");
    bar.style.width = (job.total ? Math.round(100 * job.done / job.total) : 0) + "%";
    bar.parentElement.setAttribute("aria-valuenow", job.done);
    bar.classList.toggle("bg-success", job.status === "done");
    bar.classList.toggle("bg-danger", job.status === "failed");
    const result = item.querySelector(".job-result");
    if (job.status === "done" && job.download_url) {
      const link = document.createElement("a");
      link.href = job.download_url;
      link.textContent = list.dataset.download;
      result.replaceChildren(link);
    } else if (job.status === "failed") {
      const error = document.createElement("span");
      error.className = "text-danger";
      error.textContent = job.error;
      result.replaceChildren(error);
      const again = item.querySelector("[data-again]");
      if (again) again.hidden = false;
    }
  }

  function poll() {
    const pending = list.querySelectorAll("[data-status=queued], [data-status=running]");
    if (!pending.length) return;
    Promise.all(Array.from(pending, (item) =>
      fetch(item.dataset.jobUrl, {headers: {Accept: "application/json"}})
        .then((response) => response.ok ? response.json() : null)
        .then((job) => job && show(item, job))
        .catch(() => null)  // a short network drop: try again next round
    )).then(() => setTimeout(poll, 2000));
  }
  setTimeout(poll, 1000);
})();
