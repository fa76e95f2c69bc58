// Copy buttons: <button data-copy-target="input-id" data-copied-label="Copied">.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  button.addEventListener("click", async () => {
    const input = document.getElementById(button.dataset.copyTarget);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand("copy"); // older browsers, or pages not served over HTTPS
    }
    const label = button.textContent;
    button.textContent = button.dataset.copiedLabel;
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});
