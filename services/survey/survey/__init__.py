"""Survey service: households in need and their land, screening and selection.

Publishes ``household.*`` on ``survey.households``; listens to
``grant.rejected`` to waitlist a household whose grant the budget could not cover.
"""

SERVICE_NAME = "survey"
SOURCE = f"/services/{SERVICE_NAME}"  # the CloudEvents source of what it publishes
