"""Rows of the gateway: the key manager's endpoints forwarded on the gateway listeners (/token, /revoke,
/userinfo, /authorize answer as /oauth2/* does), and /metrics on the management listeners (administrators).
API traffic on "/" is covered by core.py's unknown-path row and by tests/e2e/test_gateway*.py."""
from authz import Row, expect, same
from authz.keymanager import authorize_query

FORM = "application/x-www-form-urlencoded"


def gw_authorize_query(fx, who):
    return authorize_query(fx, who).replace("/oauth2/authorize", "/authorize", 1)


ROWS = [
    Row("gateway", "POST", "/token", "/token", expect(401, 200, 200, 200, 200), auth="client",
        body="grant_type=client_credentials", ctype=FORM, note="each caller presents the client registered for it"),
    Row("gateway", "POST", "/revoke", "/revoke", expect(401, 200, 200, 200, 200), auth="client",
        body="token=not-a-token", ctype=FORM),
    Row("gateway", "GET", "/authorize", gw_authorize_query, same(200), auth=None, note="the sign-in page"),
    Row("gateway", "POST", "/authorize", "/authorize", same(403), auth=None,
        body="response_type=code&client_id=x", ctype=FORM, note="no CSRF cookie"),
    Row("gateway", "GET", "/userinfo", "/userinfo", expect(401, 200, 200, 200, 200), auth="bearer"),
    Row("gateway", "POST", "/userinfo", "/userinfo", expect(401, 200, 200, 200, 200), auth="bearer"),
    Row("management", "GET", "/metrics", "/metrics", expect(401, 403, 403, 403, 200),
        note="/permission/admin/monitor: the administrator"),
]
