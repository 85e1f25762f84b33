"""Testing pages, one module per feature: tests, runs, suites and suite runs."""
