"""Defect readers: CSV/XLSX tables, GitHub issue JSON, Markdown issue files."""
