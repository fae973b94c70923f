"""The BSP's HTTP surfaces: routes translate HTTP to domain calls and back."""
