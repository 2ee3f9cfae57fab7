"""Projects (โครงการ): the house works of one community or sub-district that buy
materials and build together, with planned start and end dates."""
