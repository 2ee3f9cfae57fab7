"""Exports (ส่งออก) of every report to CSV and XLSX, with Thai and English labels."""
