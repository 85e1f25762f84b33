// Small progressive enhancements; every page works without this file.
document.addEventListener("change", (event) => {
  // Filter selects apply as soon as they change, like the Django admin's sidebar links.
  const select = event.target.closest(".filters select");
  if (select) select.form.requestSubmit();
});

// Time-zone selects start at the browser's zone (the server cannot know it).
document.addEventListener("DOMContentLoaded", () => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("select[data-browser-tz]").forEach((select) => {
    if (select.dataset.bound !== "1" && zone && [...select.options].some((o) => o.value === zone)) select.value = zone;
  });
});

document.addEventListener("click", (event) => {
  // Copy buttons: data-copy="<css selector>" copies that element's text.
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// "Select all" boxes: data-check-all="<form id>" ticks every row box of that form.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  document.querySelectorAll(`input[type=checkbox][form="${all.dataset.checkAll}"]`).forEach((box) => {
    box.checked = all.checked;
  });
});
