"""Door check-in and lead capture at the booths: both scan the badge's signed code."""
