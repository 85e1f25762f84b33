// Small progressive enhancements; every page works without this file.
document.addEventListener("change", (event) => {
  // Filter selects apply as soon as they change, like the Django admin's sidebar links.
  const select = event.target.closest(".filters select");
  if (select) select.form.requestSubmit();
});
