"""Survey coverage (ความครอบคลุมของการสำรวจ): how much of a tambon has been surveyed, so
"the whole tambon is surveyed" is a fact the platform can state. Computed from the
communities, survey rounds and households survey already holds: no table of its own."""
