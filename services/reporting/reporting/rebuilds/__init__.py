"""/v1/rebuilds: how far a rebuild of the projections has come, for ops to poll."""
