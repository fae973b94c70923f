"""Storage: every SQL statement of the gateway, behind the port in `port.py`."""
