"""Rows of the gateway (modules/gateway): API calls on the gateway listener, the key manager's endpoints it
forwards (/token, /revoke, /userinfo, /authorize: the same answers as keymanager.py's), and /metrics on the
management listener. The API (every verb on "/*", in front of a local echo backend) is owner's, subscribed by owner's
application; each caller presents an access token of its own application ("app"): other's and the administrator's
applications are not subscribed, noperm (who may not make applications) presents a token that belongs to none."""
from authz import Row, expect, same
from authz.keymanager import FORM, authorize_query

API = expect(401, 403, 403, 200, 403)

ROWS = [Row("gateway", m, "/", lambda fx, who: fx.gateway_path(), API, auth="app",
            body=b"{}" if m in ("POST", "PUT", "PATCH") else None,
            ctype="application/json" if m in ("POST", "PUT", "PATCH") else None,
            note="only a subscribed application's token passes")
        for m in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")] + [
    Row("gateway", "GET", "/", lambda fx, who: fx.gateway_path(), expect(401, 403, 403, 403, 403),
        auth=lambda fx, who: fx.blocked_token(who), note="owner's application, its subscription blocked"),
    Row("gateway", "POST", "/token", "/token", expect(401, 200, 200, 200, 200), auth="client",
        body="grant_type=client_credentials", ctype=FORM),
    Row("gateway", "POST", "/revoke", "/revoke", expect(401, 200, 200, 200, 200), auth="client",
        body="token=not-a-token", ctype=FORM),
    Row("gateway", "GET", "/userinfo", "/userinfo", expect(401, 200, 200, 200, 200), auth="bearer"),
    Row("gateway", "POST", "/userinfo", "/userinfo", expect(401, 200, 200, 200, 200), auth="bearer"),
    Row("gateway", "GET", "/authorize", lambda fx, who: "/authorize" + authorize_query(fx, who)[len("/oauth2/authorize"):],
        same(200), auth=None, note="the sign-in page"),
    Row("gateway", "POST", "/authorize", "/authorize", same(403), auth=None, body="response_type=code&client_id=x",
        ctype=FORM, note="no CSRF cookie"),
    Row("management", "GET", "/metrics", "/metrics", expect(401, 403, 403, 403, 200),
        note="HTTP Basic of a user holding /permission/admin/monitor"),
]
