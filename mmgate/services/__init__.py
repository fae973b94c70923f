"""The gateway's services: what happens behind an HTTP route, without HTTP.

Routes (mmgate/gateway/) parse a request, call one service and render its answer; the
services hold the rules that touch storage, the Graph client and the per-process caches,
and each clears the caches its own writes make stale.
"""
