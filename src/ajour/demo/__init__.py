"""The synthetic national demo population and its history (`ajour demo load`)."""
