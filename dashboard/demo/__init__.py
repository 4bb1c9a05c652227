"""The demo store: synthetic agencies and their files, through the import door."""
