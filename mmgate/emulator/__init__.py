"""Meta and its WhatsApp users, simulated: reachable only through the Graph API,
signed webhooks, the /manager/ pages and the /sandbox/ control API."""
