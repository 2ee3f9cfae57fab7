"""Rebuild the projections from the beginning of every topic, while the API serves.

``python -m reporting.rebuild`` (see ``__main__``) replays every topic
reporting subscribes to, from offset 0, with its own consumer group, into
*shadow* tables: the same tables (``household_progress``, ``grant_progress``,
``budget_money``, ``loan_money``, ``fund_money``,
``projection_state`` and the inbox ``processed_events``) in a separate
namespace, a PostgreSQL schema or an attached SQLite file (``shadow.py``). The
projectors are the live ones; only where their SQL lands differs.

When the replay has caught up, the swap (``replay.py``) takes the inbox lock,
so the live consumer stops applying, reads every partition's end, replays the
last events on that same connection, and swaps the shadow tables in, all in
one transaction. Readers keep answering from the old tables until the commit
and from the new ones after. The live consumer then resumes; the events it had
in hand are in the new inbox, so it skips them. Targets are set through the
API, not derived from events, and are never touched.
"""
