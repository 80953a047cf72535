"""Sample components package, laid out like driftline.components."""
