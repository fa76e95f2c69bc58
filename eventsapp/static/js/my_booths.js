// A candidate's ranked booths: Up and Down move a booth without reloading the page.
// Without this script the same buttons are plain forms that reload the page.
(function () {
  const list = document.getElementById("choice-list");
  if (!list) return;

  const renumber = () => {
    const items = Array.from(list.querySelectorAll("li[data-booth]"));
    items.forEach((item, index) => {
      item.querySelector("[data-position]").textContent = index + 1;
      const [up, down] = item.querySelectorAll("form[data-move] button");
      up.disabled = index === 0;
      down.disabled = index === items.length - 1;
    });
  };

  list.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-move]");
    if (!form) return;
    event.preventDefault();
    const item = form.closest("li[data-booth]");
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST", body: new FormData(form), headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(response.status);
      const result = await response.json();
      for (const boothId of result.order) {
        const row = list.querySelector(`li[data-booth="${boothId}"]`);
        if (row) list.appendChild(row);
      }
      renumber();
      item.classList.add("just-moved");
      setTimeout(() => item.classList.remove("just-moved"), 800);
      button.focus();
      if (button.disabled) item.querySelector("form[data-move] button:not([disabled])")?.focus();
    } catch (error) {
      form.submit(); // let the server say what went wrong
    }
  });
})();
