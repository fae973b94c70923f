"""The Partner Hub (`/hub/`): server-rendered pages for a partner's people, behind a login."""
