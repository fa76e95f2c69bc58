// An event's tabs scroll sideways on a narrow screen: bring the current one into view.
document.querySelectorAll("[data-event-tabs]").forEach((row) => {
  const active = row.querySelector(".nav-link.active");
  if (active && row.scrollWidth > row.clientWidth) {
    row.scrollLeft = active.parentElement.offsetLeft - (row.clientWidth - active.offsetWidth) / 2;
  }
});
