"""mmgate: a WhatsApp Marketing Messages gateway with an offline Meta emulator."""

__version__ = "0.1.0"
