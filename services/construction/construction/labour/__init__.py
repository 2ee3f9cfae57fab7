"""Labour (ร่วมแรง): days the household and its neighbours give to building the house,
so reports can value the community's contribution."""
