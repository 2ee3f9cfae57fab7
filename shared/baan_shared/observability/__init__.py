"""Logs, metrics and trace context shared by every service."""
