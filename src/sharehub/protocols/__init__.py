"""Information sharing protocols and the lawful-basis engine (legal gateways as data)."""
