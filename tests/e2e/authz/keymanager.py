"""Rows of the key manager: OAuth endpoints, discovery, RFC 7591/7592 DCR and API Manager's v0.14 DCR."""
import urllib.parse

from authz import Row, expect, same

DCR = "/api/identity/oauth2/dcr/v1.1/register"
V014 = "/client-registration/v0.14/register"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
FORM = "application/x-www-form-urlencoded"


def authorize_query(fx, who):
    c = fx.client("owner", code=True)
    return "/oauth2/authorize?" + urllib.parse.urlencode({
        "response_type": "code", "client_id": c["client_id"], "redirect_uri": fx.CB, "code_challenge": CHALLENGE,
        "code_challenge_method": "S256"})


def own_client(fx, who):
    return DCR + "/" + fx.client("owner")["client_id"]


def fresh_client(fx, who):
    return DCR + "/" + fx.client("owner", fresh=True)["client_id"]


KEYVAL = "/services/APIKeyValidationService/validateKey"
ADMIN_ONLY = expect(401, 403, 403, 403, 200)

ROWS = [
    Row("management", "POST", "/oauth2/token", "/oauth2/token", expect(401, 200, 200, 200, 200), auth="client",
        body="grant_type=client_credentials", ctype=FORM, note="each caller presents the client registered for it"),
    Row("management", "POST", "/oauth2/revoke", "/oauth2/revoke", expect(401, 200, 200, 200, 200), auth="client",
        body="token=not-a-token", ctype=FORM),
    Row("management", "POST", "/oauth2/introspect", "/oauth2/introspect", expect(401, 403, 200, 200, 200),
        body="token=not-a-token", ctype=FORM, note="users need applicationmgt/view"),
    Row("management", "GET", "/oauth2/jwks", "/oauth2/jwks", same(200), auth=None),
    Row("management", "GET", "/oauth2/authorize", authorize_query, same(200), auth=None, note="the sign-in page"),
    Row("management", "POST", "/oauth2/authorize", "/oauth2/authorize", same(403), auth=None,
        body="response_type=code&client_id=x", ctype=FORM, note="no CSRF cookie"),
    Row("management", "GET", "/oauth2/userinfo", "/oauth2/userinfo", expect(401, 200, 200, 200, 200),
        auth="bearer"),
    Row("management", "POST", "/oauth2/userinfo", "/oauth2/userinfo", expect(401, 200, 200, 200, 200),
        auth="bearer"),
    Row("management", "GET", "/oauth2/token/.well-known/openid-configuration",
        "/oauth2/token/.well-known/openid-configuration", same(200), auth=None),
    Row("management", "GET", "/oauth2/oidcdiscovery/.well-known/openid-configuration",
        "/oauth2/oidcdiscovery/.well-known/openid-configuration", same(200), auth=None),
    Row("management", "GET", "/.well-known/openid-configuration", "/.well-known/openid-configuration", same(200),
        auth=None),
    Row("management", "POST", DCR, DCR, expect(401, 403, 201, 201, 201),
        body=lambda fx, who: {"client_name": fx.unique("dcr"), "grant_types": ["password"]}),
    Row("management", "GET", DCR, own_client, expect(401, 403, 403, 200, 200), note="RFC 7592: owner only"),
    Row("management", "PUT", DCR, fresh_client, expect(401, 403, 403, 200, 200),
        body=lambda fx, who: {"client_name": fx.unique("dcr-put"), "grant_types": ["password"]}),
    Row("management", "DELETE", DCR, fresh_client, expect(401, 403, 403, 204, 204)),
    Row("management", "POST", V014, V014, expect(401, 403, 200, 200, 200),
        body=lambda fx, who: {"clientName": fx.unique("v014"), "owner": who, "grantType": "password refresh_token",
                              "callbackUrl": "www.google.lk", "saasApp": True},
        note="the owner in the body must be the caller"),
    Row("management", "POST", KEYVAL, KEYVAL, ADMIN_ONLY,
        body={"accessToken": "not-a-token", "context": "/none/v1", "version": "v1"},
        note="gateways' remote key validation: /permission/admin/manage (an invalid key is a 200 DTO)"),
]
