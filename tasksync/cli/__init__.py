"""The `tasksync` command line: the click group (main.py) and one module per family of
commands. May import every layer below it, and tui/ (to start it); nothing imports cli/."""
