"""Bulk import of survey sheets (CSV, XLSX), with an error report per row."""
