"""Survey rounds (รอบการสำรวจ): one sweep of a sub-district or community, and its coverage."""
