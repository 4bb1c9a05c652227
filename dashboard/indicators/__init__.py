"""Indicators: pure functions on frames (disclosure control, rates, needs, targeting, planning)."""
