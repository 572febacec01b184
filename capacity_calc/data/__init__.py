"""Reference tables and defaults of the load calculator (CSV files, UTF-8)."""
