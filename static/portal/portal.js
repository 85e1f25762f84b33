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

// "Select all" in a table header: data-check-table ticks every row box of that table.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-table]");
  if (!all) return;
  all.closest("table").querySelectorAll("input[name=selected]").forEach((box) => {
    box.checked = all.checked;
  });
});

// Forms with data-confirm="question" ask before they submit (no inline handlers: the
// Content-Security-Policy allows none).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
}, true);

// Links with data-history-back go back a page when there is one, else follow their href.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-history-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

// Bars with data-width="<percent>": the width is set here, since the policy allows no
// inline style attributes (styles set through the DOM are allowed).
function applyWidths(root) {
  root.querySelectorAll("[data-width]").forEach((bar) => { bar.style.width = `${bar.dataset.width}%`; });
}
document.addEventListener("DOMContentLoaded", () => applyWidths(document));
document.addEventListener("htmx:afterSettle", (event) => applyWidths(event.target));

// Forms with data-reset-on-success (the chat box): after a successful HTMX post, clear the
// textarea and focus it for the next message.
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.target.closest && event.target.closest("form[data-reset-on-success]");
  if (!form || !event.detail.successful) return;
  const box = form.querySelector("textarea");
  if (box) { box.value = ""; box.focus(); }
});

// Search and filters travel together: the live search swaps only the table, so the filter
// form's own copy of the search term is stale; applying filters sends what is typed now.
document.addEventListener("submit", (event) => {
  const form = event.target.closest(".changelist .filters form");
  const search = document.querySelector(".changelist .searchbar input[name=q]");
  if (!form || !search) return;
  let q = form.querySelector("input[name=q]");
  if (!q) {
    q = document.createElement("input");
    q.type = "hidden";
    q.name = "q";
    form.prepend(q);
  }
  q.value = search.value;
  if (!q.value) q.remove();
});

// Text boxes with a limit (data-limit) count as you type: "1,204 / 4,000 characters", and say
// plainly when a paste is over the limit (the server refuses it whole; nothing is cut).
function updateCounter(box) {
  const limit = Number(box.dataset.limit);
  let counter = box.nextElementSibling;
  if (!counter || !counter.classList.contains("char-counter")) {
    counter = document.createElement("div");
    counter.className = "char-counter muted small";
    counter.setAttribute("aria-live", "polite");
    box.after(counter);
  }
  const n = box.value.length;
  const over = limit && n > limit;
  counter.textContent = `${n.toLocaleString()} / ${limit.toLocaleString()} characters` +
    (over ? ` — ${(n - limit).toLocaleString()} over the limit: shorten it before sending` : "");
  counter.classList.toggle("error-text", Boolean(over));
}
document.addEventListener("input", (event) => {
  if (event.target.matches && event.target.matches("textarea[data-limit]")) updateCounter(event.target);
});
function initCounters(root) {
  root.querySelectorAll("textarea[data-limit]").forEach(updateCounter);
}
document.addEventListener("DOMContentLoaded", () => initCounters(document));
document.addEventListener("htmx:afterSwap", (event) => initCounters(event.target));

// Chart legends toggle their line: click a name to hide or show it (the data table keeps all).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-toggle-series]");
  if (!button) return;
  const chart = button.closest("figure");
  const group = chart && chart.querySelector(`g[data-series="${button.dataset.toggleSeries}"]`);
  if (!group) return;
  const shown = button.getAttribute("aria-pressed") !== "false";
  button.setAttribute("aria-pressed", shown ? "false" : "true");
  group.classList.toggle("series-hidden", shown);
});

// A schedule preset hides the expert fields (cron, every N minutes) unless "Custom" is picked.
function showExpertFields(select) {
  const custom = select.value === "custom";
  select.form.querySelectorAll("[data-expert]").forEach((input) => {
    const field = input.closest(".field");
    if (field) field.hidden = !custom;
  });
}
document.addEventListener("change", (event) => {
  if (event.target.matches && event.target.matches("select[data-preset]")) showExpertFields(event.target);
});
document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("select[data-preset]").forEach(showExpertFields));
