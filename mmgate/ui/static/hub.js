// The Hub works without JavaScript; this file only adds conveniences:
// copy buttons, a confirmation before destructive forms, and switches that save on change.
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  field.select();
  let copied = false;
  try {
    await navigator.clipboard.writeText(field.value);
    copied = true;
  } catch (_) {
    // No clipboard permission (plain http, older browser): the selected text can be copied by hand.
    copied = document.execCommand && document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = copied ? "Copied" : "Press Ctrl+C";
  button.dataset.copied = copied ? "yes" : "no";
  setTimeout(() => { button.textContent = label; }, 2000);
});

document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form && event.target.matches("input[type=checkbox]")) form.requestSubmit();
});

document.querySelectorAll("form[data-autosubmit] button[type=submit]").forEach((button) => {
  button.classList.add("js-hidden");
});
