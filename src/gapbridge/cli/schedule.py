"""Placeholder until the scheduler command lands."""
