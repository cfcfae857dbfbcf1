"""Models of the pledges app."""
