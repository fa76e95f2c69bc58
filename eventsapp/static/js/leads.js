// Lead capture at the booth: scan or type a candidate's badge number; a saved lead gets a rating
// (1–4) and a note, sent to the lead's own form address with the same field names as the list below.
(function () {
  const root = document.getElementById("leads");
  if (!root) return;
  const data = JSON.parse(document.getElementById("leads-strings").textContent);
  const T = data.text;
  const resultBox = root.querySelector("[data-result]");
  const rateForm = root.querySelector("[data-rate-form]");
  const buttons = root.querySelector("[data-rate-buttons]");
  const note = document.getElementById("lead-note");
  let current = null; // the lead being rated
  let rating = null;

  function show(status, headline, who, detail) {
    resultBox.className = "scan-result mb-3 is-" + status;
    resultBox.querySelector("[data-headline]").textContent = headline;
    resultBox.querySelector("[data-who]").textContent = who || "";
    resultBox.querySelector("[data-detail]").textContent = detail || "";
    resultBox.dataset.status = status;
    if (navigator.vibrate) navigator.vibrate(status === "ok" ? 80 : [200, 80, 200]);
  }

  function renderButtons() {
    buttons.replaceChildren(...data.ratings.map((label, index) => {
      const value = index + 1;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn " + (rating === value ? "btn-primary" : "btn-outline-primary");
      button.textContent = label;
      button.setAttribute("aria-pressed", rating === value ? "true" : "false");
      button.addEventListener("click", () => { rating = rating === value ? null : value; renderButtons(); });
      return button;
    }));
  }

  // The list below, as the server renders it now (with the new lead or its new rating).
  async function refreshList() {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector("[data-leads-list]");
      if (response.ok && fresh) root.querySelector("[data-leads-list]").replaceWith(fresh);
    } catch (error) { /* the list catches up on the next load */ }
  }

  async function capture(fields) {
    show("busy", T.sending, "", "");
    rateForm.hidden = true;
    let response;
    try {
      response = await fetch(root.dataset.scanUrl, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(fields),
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
      });
    } catch (error) {
      return show("bad", T.error, "", T.offline);
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return show("bad", T.error, "", body.message || "");
    const name = body.name ? body.name + (body.name_latin ? " (" + body.name_latin + ")" : "") : "";
    show(body.status, body.headline, name, body.detail);
    if (body.entry_id) {
      current = body;
      rating = body.rating;
      note.value = body.note || "";
      root.querySelector("[data-rate-name]").textContent = name;
      root.querySelector("[data-rate-message]").textContent = "";
      renderButtons();
      rateForm.hidden = false;
      if (body.outcome === "saved") refreshList();
    }
  }

  rateForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!current) return;
    const form = new FormData();
    const prefix = "lead-" + current.entry_id + "-";
    form.append(prefix + "rating", rating ? String(rating) : "");
    form.append(prefix + "note", note.value);
    form.append(prefix + "csrf_token", root.dataset.csrf);
    const message = root.querySelector("[data-rate-message]");
    try {
      const response = await fetch(current.update_url, {
        method: "POST", body: form, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
      });
      const body = await response.json().catch(() => ({}));
      message.className = "small " + (response.ok ? "text-success" : "text-danger");
      message.textContent = response.ok ? T.saved : body.message || T.error;
      if (response.ok) refreshList();
    } catch (error) {
      message.className = "small text-danger";
      message.textContent = T.offline;
    }
  });

  const numberForm = root.querySelector("[data-number-form]");
  numberForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = numberForm.elements.number;
    const number = input.value.trim();
    if (!number) return input.focus();
    input.value = "";
    capture({ number: number });
  });

  if (window.BadgeScanner) window.BadgeScanner.attach(root.querySelector("[data-camera]"), (code) => capture({ token: code }));
})();
