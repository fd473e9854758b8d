"""Identity: OpenID Connect login per agency provider, bearer tokens, users, sessions."""
