"""sharehub: a multi-agency information-sharing hub for community safety partnerships."""

__version__ = "0.1.0"
