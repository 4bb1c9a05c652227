"""The app's own SQLite database: accounts, audit, targets and settings kept by the app."""
