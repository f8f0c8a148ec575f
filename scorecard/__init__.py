"""Council children's services scorecard warehouse."""
