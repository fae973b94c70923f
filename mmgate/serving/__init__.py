"""How the process serves HTTP: connection, header and body bounds, proxy trust, logs.

The ASGI app (mmgate/app.py) knows nothing of sockets; what protects the process from
its clients (slow, idle, oversized or too many) lives here, applied by `mmgate serve`.
"""
