// The door page: check people in by camera, badge number or name; show the answer big; keep scans made
// without a connection in localStorage with their scan time and send them when the connection is back.
(function () {
  const root = document.getElementById("door");
  if (!root) return;
  const T = JSON.parse(document.getElementById("door-strings").textContent);
  const QUEUE_KEY = "checkin-queue-" + root.dataset.event;
  const GATE_KEY = "checkin-gate";
  const zone = root.dataset.timezone;
  const resultBox = root.querySelector("[data-result]");
  const gateInput = document.getElementById("gate");

  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (match, key) => (key in values ? values[key] : match));
  const headers = () => ({ "Content-Type": "application/json", Accept: "application/json",
                           "X-CSRFToken": root.dataset.csrf });
  const localTime = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });

  gateInput.value = localStorage.getItem(GATE_KEY) || "";
  gateInput.addEventListener("input", () => localStorage.setItem(GATE_KEY, gateInput.value.trim()));

  // --- The answer -----------------------------------------------------------------------------
  function show(status, headline, who, detail) {
    resultBox.className = "scan-result mb-3 is-" + status;
    resultBox.querySelector("[data-headline]").textContent = headline;
    resultBox.querySelector("[data-who]").textContent = who || "";
    resultBox.querySelector("[data-detail]").textContent = detail || "";
    resultBox.dataset.status = status;
    void resultBox.offsetWidth; // restart the flash animation
    resultBox.classList.add("flash");
  }

  function who(result) {
    if (!result.name) return "";
    let text = result.name + (result.name_latin ? " (" + result.name_latin + ")" : "");
    return result.role_label ? text + " · " + result.role_label : text;
  }

  function showResult(result) {
    const place = [result.organization, result.booth].filter(Boolean).join(" · ");
    show(result.status, result.headline, who(result), result.detail || place);
    feedback(result.status);
  }

  let audio = null;
  function feedback(status) {
    if (navigator.vibrate) navigator.vibrate(status === "ok" ? 80 : [200, 80, 200]);
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator(), gain = audio.createGain();
      tone.frequency.value = status === "ok" ? 880 : status === "warn" ? 520 : 220;
      gain.gain.value = 0.08;
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + (status === "ok" ? 0.12 : 0.35));
    } catch (error) { /* no sound: the colour says it */ }
  }

  // --- The offline queue ------------------------------------------------------------------------
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY)) || []; } catch (error) { return []; }
  }
  function saveQueue(queue) {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
    renderQueue();
  }
  function renderQueue() {
    const count = loadQueue().length;
    root.querySelector("[data-queue]").hidden = count === 0;
    root.querySelector("[data-queue-text]").textContent = count === 1 ? T.waiting_one : fmt(T.waiting_many, { count: count });
  }
  function enqueue(scan) {
    saveQueue(loadQueue().concat([scan]));
    show("queued", T.queued, scan.label || "", T.queued_detail);
    feedback("warn");
  }

  function reportProblems(problems, scans) {
    if (!problems.length) return;
    const box = root.querySelector("[data-conflicts]");
    const list = root.querySelector("[data-conflicts-list]");
    root.querySelector("[data-conflicts-title]").textContent = T.conflicts;
    problems.forEach((result) => {
      const scan = scans.find((item) => item.id === result.id) || {};
      const item = document.createElement("li");
      const name = who(result) || scan.label || "";
      const scanned = scan.scanned_at ? fmt(T.scanned_at, { time: localTime(scan.scanned_at) }) : "";
      item.textContent = [name, result.detail || result.headline, scanned].filter(Boolean).join(" — ");
      list.prepend(item);
    });
    box.hidden = false;
  }

  let flushing = false;
  async function flush() {
    const scans = loadQueue();
    if (flushing || !scans.length || !navigator.onLine) return;
    flushing = true;
    try {
      const response = await fetch(root.dataset.syncUrl, { method: "POST", headers: headers(), credentials: "same-origin",
                                                          body: JSON.stringify({ scans: scans }) });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        if (response.status < 500) show("bad", T.error, "", body.message || "");
        return;
      }
      const answered = new Set(body.results.map((result) => result.id));
      saveQueue(loadQueue().filter((scan) => !answered.has(scan.id))); // scans queued meanwhile stay
      const problems = body.results.filter((result) => result.outcome === "refused" || result.outcome === "error"
                                           || (result.outcome === "already" && !result.repeated));
      reportProblems(problems, scans);
      show(problems.length ? "warn" : "ok", fmt(T.synced, { count: body.results.length }), "",
           problems.length ? T.see_below : T.all_sent);
      refreshCounts();
    } catch (error) {
      /* still offline: try again later */
    } finally {
      flushing = false;
    }
  }

  // --- Checking in ------------------------------------------------------------------------------
  async function submit(fields, label) {
    const scan = Object.assign({
      id: Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10),
      gate: gateInput.value.trim(), scanned_at: new Date().toISOString(), label: label || "",
    }, fields);
    if (!navigator.onLine) return enqueue(scan);
    show("busy", T.sending, label, "");
    let response;
    try {
      response = await fetch(root.dataset.scanUrl, { method: "POST", headers: headers(), credentials: "same-origin",
                                                     body: JSON.stringify(scan) });
    } catch (error) {
      return enqueue(scan); // the connection dropped on the way
    }
    if (response.status >= 500) return enqueue(scan);
    const body = await response.json().catch(() => ({ message: T.error }));
    if (!response.ok) {
      show("bad", T.error, "", body.message || "");
      return feedback("bad");
    }
    showResult(body);
    refreshCounts();
  }

  const numberForm = root.querySelector("[data-number-form]");
  numberForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = numberForm.elements.number;
    const number = input.value.trim();
    if (!number) return input.focus();
    input.value = "";
    input.focus();
    submit({ number: number }, number.toUpperCase());
  });

  if (window.BadgeScanner) window.BadgeScanner.attach(root.querySelector("[data-camera]"), (code) => submit({ token: code }, ""));

  // --- Search by name ---------------------------------------------------------------------------
  const searchForm = root.querySelector("[data-search-form]");
  const results = root.querySelector("[data-search-results]");
  searchForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = searchForm.elements.q.value.trim();
    results.replaceChildren();
    if (!query) return;
    try {
      const response = await fetch(root.dataset.searchUrl + "?q=" + encodeURIComponent(query),
                                   { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const body = await response.json();
      if (!response.ok) throw new Error(body.message);
      if (!body.matches.length) {
        const empty = document.createElement("li");
        empty.className = "list-group-item text-body-secondary";
        empty.textContent = T.no_matches;
        results.append(empty);
      }
      body.matches.forEach((match) => {
        const item = document.createElement("li");
        item.className = "list-group-item d-flex justify-content-between align-items-center gap-2 px-0";
        const text = document.createElement("div");
        const name = document.createElement("div");
        name.className = "fw-semibold";
        name.textContent = match.name + (match.name_latin ? " (" + match.name_latin + ")" : "");
        const facts = document.createElement("div");
        facts.className = "small text-body-secondary";
        facts.textContent = [match.role_label, match.organization, "#" + match.number,
                             match.checked_in ? fmt(T.checked_in_at, { time: match.checked_in }) : ""].filter(Boolean).join(" · ");
        text.append(name, facts);
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm " + (match.checked_in ? "btn-outline-secondary" : "btn-primary");
        button.textContent = T.check_in;
        button.addEventListener("click", () => { submit({ holder_id: match.holder_id }, match.name); results.replaceChildren(); });
        item.append(text, button);
        results.append(item);
      });
    } catch (error) {
      show("bad", T.error, "", error.message || "");
    }
  });

  // --- Live counts ------------------------------------------------------------------------------
  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }
  async function refreshCounts() {
    if (!navigator.onLine) return;
    try {
      const response = await fetch(root.dataset.countsUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const counts = await response.json();
      root.querySelector("[data-total]").textContent = counts.checked_in + " / " + counts.expected;
      const roles = root.querySelector("[data-role-counts]");
      if (counts.roles.length) {
        roles.replaceChildren(...counts.roles.map((row) => {
          const tr = document.createElement("tr");
          tr.append(cell(row.label), cell(row.checked_in, "text-end"), cell(row.expected, "text-end"));
          return tr;
        }));
      }
      const hours = root.querySelector("[data-hour-counts]");
      if (counts.hours.length) {
        const most = Math.max(...counts.hours.map((row) => row.count));
        hours.replaceChildren(...counts.hours.map((row) => {
          const tr = document.createElement("tr");
          const bar = document.createElement("div");
          bar.className = "hour-bar";
          bar.style.width = (100 * row.count / most).toFixed(1) + "%";
          const barCell = document.createElement("td");
          barCell.append(bar);
          const hourCell = cell(row.hour, "agenda-time");
          hourCell.style.width = "4rem";
          const countCell = cell(row.count, "text-end");
          countCell.style.width = "3rem";
          tr.append(hourCell, barCell, countCell);
          return tr;
        }));
      }
    } catch (error) { /* offline: the next poll catches up */ }
  }

  root.querySelector("[data-queue-send]").addEventListener("click", flush);
  window.addEventListener("online", flush);
  setInterval(flush, 10000);
  setInterval(refreshCounts, 15000);
  renderQueue();
  flush();
})();
