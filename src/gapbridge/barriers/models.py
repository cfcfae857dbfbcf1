"""Models of the barriers app."""
