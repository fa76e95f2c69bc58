// Behaviour shared by every page, kept out of the markup: the Content-Security-Policy runs no inline
// script or event handler (onsubmit="...") and applies no style="..." attribute.
(function () {
  "use strict";

  // <form data-confirm="Question?">: ask before sending.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // <select data-autosubmit>: send its form as soon as the choice changes.
  document.addEventListener("change", function (event) {
    const field = event.target.closest("[data-autosubmit]");
    if (field && field.form) {
      field.form.requestSubmit();
    }
  });

  // Logged out: forget the copy of "My code" the phone kept for offline use (templates/talentcode/sw.js),
  // so that the next person using this browser cannot open it.
  if (document.body.hasAttribute("data-signed-out") && window.caches) {
    window.caches.keys().then(function (names) {
      names.filter(function (name) { return name.indexOf("my-code-") === 0; })
        .forEach(function (name) { window.caches.delete(name); });
    }).catch(function () { /* storage unavailable: nothing kept */ });
  }

  // <div class="progress-bar" data-fill="37.5">: a bar filled to that share (in %).
  document.querySelectorAll("[data-fill]").forEach(function (bar) {
    const share = Number.parseFloat(bar.dataset.fill);
    bar.style.width = (Number.isFinite(share) ? Math.min(Math.max(share, 0), 100) : 0) + "%";
  });
})();
