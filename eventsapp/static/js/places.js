// Keeps the "places left" figure on an event page live without reloading.
(function () {
  const counter = document.querySelector("[data-places-url]");
  if (!counter) return;
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(counter.dataset.placesUrl, { headers: { Accept: "application/json" } });
      if (response.ok) counter.textContent = (await response.json()).places_left;
    } catch (error) {
      // Offline for a moment: keep the last figure.
    }
  };
  setInterval(refresh, 20000);
  document.addEventListener("visibilitychange", refresh);
})();
