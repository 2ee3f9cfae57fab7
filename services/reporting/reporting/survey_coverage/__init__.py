"""Survey coverage rolled up: how many of an area's tambons are surveyed as a whole, from
survey's ``tambon.coverage_changed`` events (the latest figures per tambon)."""
