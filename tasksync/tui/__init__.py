"""The Textual app (`tasksync tui`)."""
