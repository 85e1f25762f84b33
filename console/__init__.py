"""The site-wide pages, on top of every app: the dashboard, the top-bar search, the audit log,
the tasks page and the users pages. Nothing imports it; it may import everything below it."""
