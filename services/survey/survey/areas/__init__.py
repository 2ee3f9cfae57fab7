"""Areas (เขตการปกครอง): provinces, districts and sub-districts, and the agency's regions.

Geography comes from the maintained ``geothai`` package (DOPA codes, Thai and
English names); the regional offices are the agency's own configuration,
shared by every service (``baan_shared.reference``), not geography.
"""
