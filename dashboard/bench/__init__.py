"""The bench: national-scale timings and ratios, printed, never asserted."""
