"""Read the files users really have and turn them into canonical warehouse rows."""
