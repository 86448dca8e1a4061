"""The meetings app's business rules, one module per stage of a meeting."""
