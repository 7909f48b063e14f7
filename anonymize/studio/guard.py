"""Who may talk to the studio: the browser it opened, on this machine, and nobody else.

The studio shows unredacted originals of people at risk and writes their story files, so every
request must prove three things before anything else runs:

- it was sent to the address the studio listens on (``Host``): a web page elsewhere that points
  a name of its own at 127.0.0.1 (DNS rebinding) is refused;
- it carries the secret made when the studio started, in the address it printed or in the
  cookie that address sets (``SameSite=Strict``: another site's page cannot send it);
- a change (POST) comes from the studio's own pages: its ``Origin`` is the studio's, and the
  form carries a second secret only those pages hold.

Anything else gets 403 and changes nothing.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie

#: Asked for in the address the studio prints: ``?token=…``.
TOKEN_PARAMETER = "token"
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class Guard:
    """The secrets of one studio run and the checks every request passes."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def cookie(self) -> str:
        """The key's cookie, one per port: a browser keeps cookies by host, whatever the port, and
        two studios open side by side must not take each other's."""
        return f"anonymize-studio-{self.port}"

    @property
    def hosts(self) -> tuple[str, ...]:
        return (f"127.0.0.1:{self.port}", f"localhost:{self.port}")

    @property
    def origins(self) -> tuple[str, ...]:
        return tuple(f"http://{host}" for host in self.hosts)

    def host_ok(self, host: str | None) -> bool:
        return host is not None and host.strip().lower() in self.hosts

    def token_ok(self, offered: str | None) -> bool:
        return offered is not None and hmac.compare_digest(offered.encode(), self.token.encode())

    def cookie_token(self, header: str | None) -> str | None:
        if not header:
            return None
        try:
            jar = SimpleCookie(header)
        except CookieError:
            return None
        morsel = jar.get(self.cookie)
        return morsel.value if morsel is not None else None

    def set_cookie(self) -> str:
        return f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"

    def origin_ok(self, origin: str | None) -> bool:
        """A change must say where it comes from, and that must be the studio itself."""
        return origin is not None and origin.strip().lower() in self.origins

    def csrf_ok(self, offered: str | None) -> bool:
        return offered is not None and hmac.compare_digest(offered.encode(), self.csrf.encode())
