"""HTTP plumbing every surface shares: JSON answers, and each surface's error shape.

Routes raise (`GraphError` with a catalogue code, `Refusal` for everything else) and
`surfaces` renders, once per surface: Starlette's exception handlers for framework-routed
requests, the same function for the bare-ASGI hot path.
"""
