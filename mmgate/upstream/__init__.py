"""The gateway's only way to Meta: the Graph API over HTTP."""
