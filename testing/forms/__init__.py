"""Testing forms, one module per feature: tests, runs, suites."""
