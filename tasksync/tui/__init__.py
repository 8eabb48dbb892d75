"""The Textual app (`tasksync tui`): triage and follow-ups on top of the same actions the
commands run. May import app.py and every layer below it; never cli/."""
