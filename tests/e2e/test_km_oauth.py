"""Key manager: DCR, client_credentials, password, refresh (rotation and reuse), authorization_code with PKCE
through the HTML login page, ID tokens checked by PyJWT against the JWKS, userinfo, introspection, revocation,
RFC 6749 errors, and no token, code or secret in plain text in the tables. Real clients: authlib, requests,
PyJWT. On SQLite, PostgreSQL and MariaDB."""
import json
import time
import unittest
import urllib.parse

import jwt
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

import ghtest
import km_flows
from km_flows import ADMIN, basic

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CB = "http://127.0.0.1:1/callback"


class KmOAuthTest(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        km = km_flows.KmServer(kind, base_url)
        self.km = km
        self.raw = []  # every secret, token and code seen: none may be stored as is
        try:
            with self.subTest("dcr"):
                self.dcr()
            with self.subTest("client_credentials"):
                self.client_credentials()
            with self.subTest("errors"):
                self.errors()
            with self.subTest("password_refresh"):
                self.password_refresh()
            with self.subTest("authorization_code"):
                self.authorization_code()
            with self.subTest("apim_dcr"):
                self.apim_dcr()
            with self.subTest("jwt_access_tokens"):
                self.jwt_access_tokens()
            with self.subTest("discovery"):
                self.discovery()
            with self.subTest("no_plaintext"):
                self.no_plaintext()
        finally:
            km.stop()

    # --- pieces ---------------------------------------------------------------------------------------------

    def dcr(self):
        km = self.km
        r = km.register("cc-app", ["client_credentials", "password", "refresh_token"])
        self.assertEqual(r.status_code, 201, r.text)
        app = r.json()
        self.assertEqual(app["client_name"], "cc-app")
        self.assertGreaterEqual(len(app["client_secret"]), 32)
        self.raw.append(app["client_secret"])
        self.app = app
        # read back: no secret shown again
        r = requests.get(km.base + "/api/identity/oauth2/dcr/v1.1/register/" + app["client_id"], auth=ADMIN)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertNotIn("client_secret", r.json())
        self.assertEqual(sorted(r.json()["grant_types"]), ["client_credentials", "password", "refresh_token"])
        # unauthenticated, wrong password, invalid metadata, duplicate name
        self.assertEqual(km.register("x", ["password"], auth=None).status_code, 401)
        self.assertEqual(km.register("x", ["password"], auth=("admin", "wrong")).status_code, 401)
        r = km.register("x", ["bogus_grant"])
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_client_metadata"))
        r = km.register("x", ["authorization_code"])
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_redirect_uri"))
        self.assertEqual(km.register("cc-app", ["password"]).status_code, 400)
        # a user without the application-management permission may not register
        rc, out, err = ghtest.run_cli("--conf", km.conf.dir, "user", "add", "dave", "--password", "Dave-pass-123",
                                      "--role", "Internal/subscriber")
        self.assertEqual(rc, 0, err)
        r = km.register("dave-app", ["client_credentials"], auth=("dave", "Dave-pass-123"))
        self.assertEqual((r.status_code, r.json()["error"]), (403, "access_denied"))
        # an administrator may register for another owner
        r = requests.post(km.base + "/api/identity/oauth2/dcr/v1.1/register", auth=ADMIN,
                          json={"client_name": "for-dave", "grant_types": ["client_credentials"],
                                "ext_param_owner": "dave"})
        self.assertEqual((r.status_code, r.json()["ext_param_owner"]), (201, "dave"))
        self.raw.append(r.json()["client_secret"])
        # update then delete a throw-away client
        r = km.register("tmp-app", ["password"])
        cid = r.json()["client_id"]
        self.raw.append(r.json()["client_secret"])
        r = requests.put(km.base + "/api/identity/oauth2/dcr/v1.1/register/" + cid, auth=ADMIN,
                         json={"client_name": "tmp-app2", "grant_types": ["client_credentials"]})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["client_name"], "tmp-app2")
        r = requests.delete(km.base + "/api/identity/oauth2/dcr/v1.1/register/" + cid, auth=ADMIN)
        self.assertEqual(r.status_code, 204)
        r = requests.get(km.base + "/api/identity/oauth2/dcr/v1.1/register/" + cid, auth=ADMIN)
        self.assertEqual(r.status_code, 404)

    def introspect(self, token, auth=ADMIN):
        r = requests.post(self.km.base + "/oauth2/introspect", data={"token": token}, auth=auth, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def client_credentials(self):
        km, app = self.km, self.app
        s = OAuth2Session(app["client_id"], app["client_secret"], token_endpoint_auth_method="client_secret_basic",
                          scope="apim:api_create custom_scope")
        tok = s.fetch_token(km.base + "/oauth2/token", grant_type="client_credentials")
        self.raw.append(tok["access_token"])
        self.assertEqual(tok["token_type"], "Bearer")
        self.assertNotIn("refresh_token", tok)
        # the owner (admin) holds a role bound to apim:api_create; custom_scope is unbound and passes
        self.assertEqual(sorted(tok["scope"].split()), ["apim:api_create", "custom_scope"])
        self.assertGreater(tok["expires_in"], 3500)
        info = self.introspect(tok["access_token"])
        self.assertTrue(info["active"])
        self.assertEqual(info["client_id"], app["client_id"])
        self.assertEqual(info["username"], "admin@carbon.super")
        # the client itself may introspect, with client_secret_post too
        r = requests.post(km.base + "/oauth2/introspect", data={"token": tok["access_token"], "client_id": app["client_id"],
                                                               "client_secret": app["client_secret"]})
        self.assertTrue(r.json()["active"])
        # client_secret_post at the token endpoint
        s2 = OAuth2Session(app["client_id"], app["client_secret"], token_endpoint_auth_method="client_secret_post")
        tok2 = s2.fetch_token(km.base + "/oauth2/token", grant_type="client_credentials")
        self.raw.append(tok2["access_token"])
        self.assertEqual(tok2["scope"], "default")
        self.assertNotEqual(tok2["access_token"], tok["access_token"])
        # revocation: 200, WSO2 headers, and inactive at once
        r = requests.post(km.base + "/oauth2/revoke", data={"token": tok["access_token"]},
                          headers={"Authorization": basic(app["client_id"], app["client_secret"])})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers.get("RevokedAccessToken"), tok["access_token"])
        self.assertEqual(r.headers.get("AuthorizedUser"), "admin")
        self.assertEqual(self.introspect(tok["access_token"]), {"active": False})
        # an unknown token revokes with 200 too (RFC 7009) and introspects inactive
        r = requests.post(km.base + "/oauth2/revoke", data={"token": "nope"},
                          auth=(app["client_id"], app["client_secret"]))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.introspect("nope"), {"active": False})
        # introspection callers must authenticate
        r = requests.post(km.base + "/oauth2/introspect", data={"token": tok2["access_token"]})
        self.assertEqual(r.status_code, 401)
        # an expired token is inactive: age the row in the database (not in this process's cache: new token)
        tok3 = s2.fetch_token(km.base + "/oauth2/token", grant_type="client_credentials")
        self.raw.append(tok3["access_token"])
        km.sql("UPDATE IDN_OAUTH2_ACCESS_TOKEN SET VALIDITY_PERIOD = 1 WHERE GRANT_TYPE = 'client_credentials' "
               "AND TOKEN_STATE = 'ACTIVE'")
        time.sleep(11)  # the introspection cache holds a fresh token at most 10 s
        self.assertEqual(self.introspect(tok3["access_token"]), {"active": False})

    def token_post(self, data, auth=None, headers=None):
        h = dict(FORM)
        h.update(headers or {})
        return requests.post(self.km.base + "/oauth2/token", data=data, auth=auth, headers=h, timeout=30)

    def errors(self):
        app = self.app
        good = (app["client_id"], app["client_secret"])
        r = self.token_post({"grant_type": "client_credentials"}, auth=(app["client_id"], "wrong"))
        self.assertEqual((r.status_code, r.json()["error"]), (401, "invalid_client"))
        self.assertIn("Basic", r.headers.get("WWW-Authenticate", ""))
        r = self.token_post({"grant_type": "client_credentials"}, auth=("no-such-client", "x"))
        self.assertEqual((r.status_code, r.json()["error"]), (401, "invalid_client"))
        r = self.token_post({"grant_type": "client_credentials"})
        self.assertEqual((r.status_code, r.json()["error"]), (401, "invalid_client"))
        r = self.token_post({"scope": "x"}, auth=good)
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_request"))
        r = self.token_post({"grant_type": "urn:made:up"}, auth=good)
        self.assertEqual((r.status_code, r.json()["error"]), (400, "unsupported_grant_type"))
        r = self.token_post({"grant_type": "authorization_code", "code": "x"}, auth=good)
        self.assertEqual((r.status_code, r.json()["error"]), (400, "unauthorized_client"))
        r = self.token_post("grant_type=client_credentials&grant_type=password", auth=good)
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_request"))
        r = self.token_post("grant_type=%zz", auth=good)
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_request"))
        r = requests.post(self.km.base + "/oauth2/token", data=b'{"grant_type":"client_credentials"}', auth=good,
                          headers={"Content-Type": "application/json"})
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_request"))
        r = self.token_post({"grant_type": "password", "username": "admin", "password": "bad"}, auth=good)
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_grant"))
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")

    def password_refresh(self):
        km, app = self.km, self.app
        s = OAuth2Session(app["client_id"], app["client_secret"], scope="openid apim:subscribe")
        tok = s.fetch_token(km.base + "/oauth2/token", username="admin", password="admin")
        self.raw += [tok["access_token"], tok["refresh_token"]]
        self.assertIn("refresh_token", tok)
        self.assertEqual(sorted(tok["scope"].split()), ["apim:subscribe", "openid"])
        self.check_id_token(tok["id_token"], app["client_id"], tok["access_token"])
        # userinfo with the openid scope
        r = requests.get(km.base + "/oauth2/userinfo", headers={"Authorization": "Bearer " + tok["access_token"]})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["sub"], "admin")
        r = requests.get(km.base + "/oauth2/userinfo", headers={"Authorization": "Bearer nope"})
        self.assertEqual(r.status_code, 401)
        self.assertIn("invalid_token", r.headers.get("WWW-Authenticate", ""))
        # refresh rotates: a new pair, the old access token and refresh token stop working
        new = s.refresh_token(km.base + "/oauth2/token", refresh_token=tok["refresh_token"])
        self.raw += [new["access_token"], new["refresh_token"]]
        self.assertNotEqual(new["refresh_token"], tok["refresh_token"])
        self.assertEqual(self.introspect(tok["access_token"]), {"active": False})
        self.assertTrue(self.introspect(new["access_token"])["active"])
        # replaying the rotated refresh token fails and revokes the whole family
        r = self.token_post({"grant_type": "refresh_token", "refresh_token": tok["refresh_token"]},
                            auth=(app["client_id"], app["client_secret"]))
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_grant"))
        self.assertEqual(self.introspect(new["access_token"]), {"active": False})
        r = self.token_post({"grant_type": "refresh_token", "refresh_token": new["refresh_token"]},
                            auth=(app["client_id"], app["client_secret"]))
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_grant"))
        # a user without the bound role does not get apim:api_create; unbound scopes pass
        s2 = OAuth2Session(app["client_id"], app["client_secret"], scope="apim:api_create other")
        rc, out, err = ghtest.run_cli("--conf", km.conf.dir, "user", "add", "bob", "--password", "Bob-pass-123")
        self.assertEqual(rc, 0, err)
        t2 = s2.fetch_token(km.base + "/oauth2/token", username="bob", password="Bob-pass-123")
        self.raw.append(t2["access_token"])
        self.assertEqual(t2["scope"], "other")
        # the user store's lock-out applies to the password grant (MaxFailedLoginAttempts 5)
        for _ in range(5):
            r = self.token_post({"grant_type": "password", "username": "bob", "password": "nope"},
                                auth=(app["client_id"], app["client_secret"]))
            self.assertEqual(r.json()["error"], "invalid_grant")
        r = self.token_post({"grant_type": "password", "username": "bob", "password": "Bob-pass-123"},
                            auth=(app["client_id"], app["client_secret"]))
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_grant"))
        self.assertIn("locked", r.json()["error_description"])

    def check_id_token(self, id_token, client_id, access_token=None, nonce=None):
        disc = requests.get(self.km.base + "/oauth2/oidcdiscovery/.well-known/openid-configuration").json()
        key = jwt.PyJWKClient(disc["jwks_uri"]).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(id_token, key.key, algorithms=["RS256"], audience=client_id, issuer=disc["issuer"])
        self.assertEqual(claims["sub"], "admin")
        if nonce is not None:
            self.assertEqual(claims["nonce"], nonce)
        if access_token is not None:
            import base64
            import hashlib
            h = hashlib.sha256(access_token.encode()).digest()[:16]
            self.assertEqual(claims["at_hash"], base64.urlsafe_b64encode(h).rstrip(b"=").decode())
        return claims

    def authorization_code(self):
        km = self.km
        r = km.register("web-app", ["authorization_code", "refresh_token"], redirect_uris=[CB])
        self.assertEqual(r.status_code, 201, r.text)
        app = r.json()
        self.raw.append(app["client_secret"])
        authz, token_url = km.base + "/oauth2/authorize", km.base + "/oauth2/token"

        def start(verifier, nonce):
            s = OAuth2Session(app["client_id"], app["client_secret"], redirect_uri=CB, scope="openid",
                              code_challenge_method="S256")
            url, state = s.create_authorization_url(authz, code_verifier=verifier, nonce=nonce)
            return s, url, state

        verifier, nonce = generate_token(48), generate_token(16)
        s, url, state = start(verifier, nonce)
        browser = requests.Session()
        # wrong password: the page again, with an error and labelled fields
        r, form = km_flows.login(browser, url, "admin", "wrong")
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn('role="alert"', r.text)
        self.assertEqual({"username", "password"} - km_flows.parse_form(r.text).labels, set())
        # a form post without the CSRF cookie is refused
        data = dict(form.inputs, username="admin", password="admin", consent="approve")
        r = requests.post(authz, data=data, allow_redirects=False)
        self.assertEqual(r.status_code, 403)
        # the real login
        r, _ = km_flows.login(browser, url, "admin", "admin")
        self.assertEqual(r.status_code, 302, r.text)
        loc = r.headers["Location"]
        self.assertTrue(loc.startswith(CB + "?"), loc)
        q = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query)
        self.assertEqual(q["state"], [state])
        self.raw.append(q["code"][0])
        tok = s.fetch_token(token_url, authorization_response=loc, code_verifier=verifier)
        self.raw += [tok["access_token"], tok["refresh_token"]]
        self.check_id_token(tok["id_token"], app["client_id"], tok["access_token"], nonce)
        self.assertTrue(self.introspect(tok["access_token"])["active"])
        # replaying the code fails and revokes what it issued
        r = self.token_post({"grant_type": "authorization_code", "code": q["code"][0], "redirect_uri": CB,
                             "code_verifier": verifier}, auth=(app["client_id"], app["client_secret"]))
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_grant"))
        self.assertEqual(self.introspect(tok["access_token"]), {"active": False})
        # a wrong PKCE verifier fails
        verifier2 = generate_token(48)
        s, url, state = start(verifier2, None)
        r, _ = km_flows.login(browser, url, "admin", "admin")
        loc = r.headers["Location"]
        code = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query)["code"][0]
        self.raw.append(code)
        r = self.token_post({"grant_type": "authorization_code", "code": code, "redirect_uri": CB,
                             "code_verifier": generate_token(48)}, auth=(app["client_id"], app["client_secret"]))
        self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_grant"))
        self.assertIn("PKCE", r.json()["error_description"])
        # deny: back to the client with access_denied
        s, url, state = start(generate_token(48), None)
        r, _ = km_flows.login(browser, url, "admin", "admin", consent="deny")
        self.assertEqual(r.status_code, 302)
        self.assertIn("error=access_denied", r.headers["Location"])
        # an unregistered redirect URI is never redirected to
        bad = url.replace(urllib.parse.quote(CB, safe=""), urllib.parse.quote("http://evil.example/cb", safe=""))
        r = browser.get(bad, allow_redirects=False)
        self.assertEqual(r.status_code, 400)

    def apim_dcr(self):
        km = self.km
        body = {"callbackUrl": "www.google.lk", "clientName": "rest_api_publisher", "owner": "admin",
                "grantType": "password refresh_token", "saasApp": True}
        r = requests.post(km.base + "/client-registration/v0.14/register", json=body, auth=ADMIN)
        self.assertEqual(r.status_code, 200, r.text)
        d = r.json()
        self.raw.append(d["clientSecret"])
        self.assertEqual(d["clientName"], "admin_rest_api_publisher")
        s = OAuth2Session(d["clientId"], d["clientSecret"], scope="apim:api_view")
        tok = s.fetch_token(km.base + "/oauth2/token", username="admin", password="admin")
        self.raw += [tok["access_token"], tok["refresh_token"]]
        self.assertEqual(tok["scope"], "apim:api_view")
        body["owner"] = "someone"
        r = requests.post(km.base + "/client-registration/v0.14/register", json=body, auth=ADMIN)
        self.assertEqual(r.status_code, 400)

    def jwt_access_tokens(self):
        """An API Manager application of token type JWT (AM_APPLICATION.TOKEN_TYPE, mapped to the client in
        AM_APPLICATION_KEY_MAPPING, as the developer portal writes them) gets RFC 9068 access tokens."""
        km = self.km
        r = km.register("jwt-app", ["client_credentials", "password"])
        app = r.json()
        self.raw.append(app["client_secret"])
        km.sql("INSERT INTO AM_SUBSCRIBER (USER_ID, TENANT_ID, DATE_SUBSCRIBED) VALUES ('admin', -1234, "
               "'2026-01-01 00:00:00')")
        km.sql("INSERT INTO AM_APPLICATION (NAME, SUBSCRIBER_ID, TOKEN_TYPE, UUID) SELECT 'jwt-app', SUBSCRIBER_ID, "
               "'JWT', 'u-jwt-app' FROM AM_SUBSCRIBER WHERE USER_ID = 'admin'")
        km.sql("INSERT INTO AM_APPLICATION_KEY_MAPPING (APPLICATION_ID, CONSUMER_KEY, KEY_TYPE, STATE) SELECT "
               "APPLICATION_ID, '%s', 'PRODUCTION', 'COMPLETED' FROM AM_APPLICATION WHERE UUID = 'u-jwt-app'"
               % app["client_id"])
        # (registration does not put the client in the cache, so the mapping is read on the first grant)
        s = OAuth2Session(app["client_id"], app["client_secret"], scope="apim:subscribe")
        tok = s.fetch_token(km.base + "/oauth2/token", username="admin", password="admin")
        self.raw += [tok["access_token"], tok["refresh_token"]]
        at = tok["access_token"]
        self.assertEqual(at.count("."), 2, at)
        disc = requests.get(km.base + "/oauth2/token/.well-known/openid-configuration").json()
        key = jwt.PyJWKClient(disc["jwks_uri"]).get_signing_key_from_jwt(at)
        self.assertEqual(jwt.get_unverified_header(at)["typ"], "at+jwt")
        claims = jwt.decode(at, key.key, algorithms=["RS256"], audience=app["client_id"], issuer=disc["issuer"])
        self.assertEqual((claims["sub"], claims["scope"], claims["client_id"]), ("admin", "apim:subscribe",
                                                                                app["client_id"]))
        self.assertTrue(self.introspect(at)["active"])
        r = requests.post(km.base + "/oauth2/revoke", data={"token": at}, auth=(app["client_id"], app["client_secret"]))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.introspect(at), {"active": False})
        # jti is the row's TOKEN_ID; the row holds the token's hash, not the JWT
        self.assertEqual(km.sql("SELECT TOKEN_STATE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = '%s'"
                                % claims["jti"]), [["REVOKED"]])

    def discovery(self):
        km = self.km
        for path in ("/oauth2/token/.well-known/openid-configuration",
                     "/oauth2/oidcdiscovery/.well-known/openid-configuration", "/.well-known/openid-configuration"):
            r = requests.get(km.base + path)
            self.assertEqual(r.status_code, 200, path)
            d = r.json()
            self.assertEqual(d["issuer"], km.base + "/oauth2/token")
            self.assertEqual(d["token_endpoint"], km.base + "/oauth2/token")
            self.assertIn("S256", d["code_challenge_methods_supported"])
        ctx = ghtest.tls_context(km.conf)
        st, _, body = ghtest.http("GET", km.srv.url(9443, "/oauth2/oidcdiscovery/.well-known/openid-configuration"),
                                  ctx=ctx)
        self.assertEqual(st, 200)
        self.assertEqual(json.loads(body)["issuer"], km.srv.url(9443, "/oauth2/token"))
        keys = requests.get(km.base + "/oauth2/jwks").json()["keys"]
        self.assertGreaterEqual(len(keys), 1)
        self.assertTrue(all(k["kty"] == "RSA" and k["kid"] and k["x5t"] for k in keys))

    def no_plaintext(self):
        km = self.km
        dump = []
        for q in ("SELECT ACCESS_TOKEN, REFRESH_TOKEN, ACCESS_TOKEN_HASH, REFRESH_TOKEN_HASH FROM IDN_OAUTH2_ACCESS_TOKEN",
                  "SELECT AUTHORIZATION_CODE, AUTHORIZATION_CODE_HASH FROM IDN_OAUTH2_AUTHORIZATION_CODE",
                  "SELECT CONSUMER_SECRET FROM IDN_OAUTH_CONSUMER_APPS"):
            dump += ["\t".join(r) for r in km.sql(q)]
        text = "\n".join(dump)
        self.assertGreater(len(dump), 5)
        self.assertGreater(len(self.raw), 10)
        for v in self.raw:
            self.assertNotIn(v, text)

    # --- targets ----------------------------------------------------------------------------------------------



if __name__ == "__main__":
    ghtest.main()
