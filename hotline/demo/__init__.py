"""Demo set-up, the history generator, progress bars."""
