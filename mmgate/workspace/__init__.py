"""Workspaces: the partner, clients, WABAs, numbers, keys and templates to start with."""
