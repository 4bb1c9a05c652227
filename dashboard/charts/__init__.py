"""Charts: pure functions from frames to plotly figures, and map classes."""
