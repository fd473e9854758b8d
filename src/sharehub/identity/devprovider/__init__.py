"""A small OpenID Provider for development and the demo: no outside service needed.

It signs in fictional staff with one click, so a newcomer can try the hub's
real sign-in from a browser. It is standards-correct on the wire (OpenID Connect
code flow with PKCE S256, ID tokens signed RS256, RFC 9207 ``iss`` on every
authorization response, client credentials with RFC 9068 JWT access tokens,
RP-initiated logout) and is built on Authlib's server-side classes.

It is for development only: ``create_provider_app`` raises RuntimeError when
``SHAREHUB_ENV`` is ``production``. All state (codes, tokens, a generated key)
lives in memory, in one process.

Endpoints, relative to the issuer: ``/.well-known/openid-configuration``,
``/jwks``, ``/authorize`` (GET shows the chooser, or signs in the user named by
``login_hint`` at once; POST takes the choice), ``/token``, ``/userinfo`` and
``/end_session``.

Run on its own: ``python -m sharehub.identity.devprovider --port 9000 --config provider.json``.
"""

from sharehub.identity.devprovider.app import create_provider_app
from sharehub.identity.devprovider.schemas import DevClient, DevProviderConfig, DevUser

__all__ = ["DevClient", "DevProviderConfig", "DevUser", "create_provider_app"]
