"""Construction service: house works (งานก่อสร้างบ้าน) from plan to completion.

Listens to ``household.approved`` to plan a house work for each approved
household; publishes ``house.*`` on ``construction.houses``.
"""

SERVICE_NAME = "construction"
