"""The `mmgate` command."""
