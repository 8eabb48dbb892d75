"""Writing back: pure line edits, the safe atomic write of notes, recurrence, and the
batches (lock, journal, undo) the commands and the TUI run. The only layer that writes notes.
May import: index/, read/ and the base modules."""
