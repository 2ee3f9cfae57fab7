"""Tambon plans rolled up (แผนระดับตำบล): adopted plans from survey, summed to district,
province, region and country per fiscal year, against targets and achievements."""
