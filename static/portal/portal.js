// Small progressive enhancements; every page works without this file.
document.addEventListener("change", (event) => {
  // Filter selects apply as soon as they change, like the Django admin's sidebar links.
  const select = event.target.closest(".filters select");
  if (select) select.form.requestSubmit();
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
