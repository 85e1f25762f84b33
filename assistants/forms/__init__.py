"""Assistant forms, one module per feature (as views/ and services/)."""
