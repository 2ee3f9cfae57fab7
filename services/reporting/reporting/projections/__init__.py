"""Projections (read models): tables fed by events, the stage rule, and their SQL."""
