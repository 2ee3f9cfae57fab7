"""Milestones (งวดงาน): the steps a house goes through, per work type and programme."""
