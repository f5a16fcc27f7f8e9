"""Issue 12 over plain HTTP, on SQLite, PostgreSQL and MariaDB: the consoles' files (CSP, frame protection,
ETag and 304, no other method than GET), config.json, the consoles' public OAuth clients (registered at start,
authorization code with PKCE and no secret, refresh, revocation by client_id, and everything a public client may
not do), and /carbon/api (the permission tree, a role's permissions, unlock) with its authorisation."""
import base64
import hashlib
import json
import os
import re
import secrets
import unittest
import urllib.parse

import requests

import ghtest
import km_flows


def pkce():
    verifier = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class ConsolesHttp(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        self.km = km_flows.KmServer(kind, base_url, dbname="gh_e2e_consoles",
                                    edits=[("user-mgt.xml", r"(<UserStoreManager class=\"[^\"]+\">)",
                                            r'\g<1>\n            <Property name="PasswordHashIterations">1000</Property>'
                                            # the unlock check locks viewer1 out from this one address (by default
                                            # an address alone cannot: docs/security.md)
                                            r'\n            <Property name="LoginFailuresPerAddressAndUser">0</Property>')])
        try:
            self.base = self.km.base
            self.check_files()
            self.check_public_client()
            self.check_usermgt()
        finally:
            out = self.km.srv.output()
            self.km.stop()
            self.assertNotIn("AddressSanitizer", out)
            self.assertNotIn("LeakSanitizer", out)

    # ---- static files --------------------------------------------------------------------------------------------

    def check_files(self):
        for console in ("/publisher/", "/store/", "/devportal/", "/admin/", "/carbon/"):
            r = requests.get(self.base + console, timeout=30)
            self.assertEqual(r.status_code, 200, console)
            self.assertTrue(r.headers["content-type"].startswith("text/html"))
            csp = r.headers["content-security-policy"]
            self.assertIn("script-src 'self'", csp)
            self.assertIn("style-src 'self'", csp)
            self.assertIn("frame-ancestors 'none'", csp)
            self.assertNotIn("unsafe-inline", csp)
            self.assertEqual(r.headers["x-frame-options"], "DENY")
            self.assertEqual(r.headers["referrer-policy"], "no-referrer")
            # no inline script or style in the page itself
            self.assertNotRegex(r.text, r"<script(?![^>]*\bsrc=)[^>]*>")
            self.assertNotRegex(r.text, r"<style|\sstyle=")
            self.assertNotRegex(r.text, r"https?://")  # no CDN, nothing from elsewhere
        # the DevPortal may call the gateway, and only it
        csp = requests.get(self.base + "/store/", timeout=30).headers["content-security-policy"]
        self.assertIn("http://localhost:%d" % self.km.srv.port(8280), csp)
        self.assertNotIn("localhost:%d" % self.km.srv.port(8280),
                         requests.get(self.base + "/carbon/", timeout=30).headers["content-security-policy"])

        # ETag and 304, shared files under every console
        r = requests.get(self.base + "/carbon/common/auth.js", timeout=30)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.headers["content-type"].startswith("text/javascript"))
        etag = r.headers["etag"]
        self.assertRegex(etag, r'^"[0-9a-f]{20}"$')
        self.assertEqual(r.headers["cache-control"], "no-cache")
        r2 = requests.get(self.base + "/store/common/auth.js", headers={"If-None-Match": etag}, timeout=30)
        self.assertEqual(r2.status_code, 304)
        self.assertEqual(r2.content, b"")
        self.assertEqual(r2.headers["etag"], etag)
        r3 = requests.get(self.base + "/store/common/auth.js", headers={"If-None-Match": '"0000"'}, timeout=30)
        self.assertEqual(r3.status_code, 200)
        self.assertEqual(r3.content, r.content)

        # redirects, misses and methods
        r = requests.get(self.base + "/carbon", allow_redirects=False, timeout=30)
        self.assertEqual((r.status_code, r.headers["location"]), (301, "/carbon/"))
        r = requests.get(self.base + "/carbon/nothing.js", timeout=30)
        self.assertEqual(r.status_code, 404)
        for other in ("/carbonx", "/storefront/", "/admin.js"):
            r = requests.get(self.base + other, allow_redirects=False, timeout=30)
            self.assertEqual(r.status_code, 404, other)
            self.assertNotIn("text/html", r.headers.get("content-type", ""))
        self.assertIn("fault", r.json())
        r = requests.post(self.base + "/carbon/", data="x", timeout=30)
        self.assertEqual(r.status_code, 405)
        self.assertIn("GET", r.headers["allow"])

        # config.json: the console's client and the gateway's ports
        cfg = requests.get(self.base + "/store/config.json", timeout=30).json()
        self.assertEqual(cfg["clientId"], "gatehouse_devportal")
        self.assertEqual(cfg["gateway"]["httpPort"], self.km.srv.port(8280))
        self.assertEqual(cfg["gateway"]["httpsPort"], self.km.srv.port(8243))
        self.assertIn("apim:subscribe", cfg["scope"].split())
        self.assertEqual(requests.get(self.base + "/devportal/config.json", timeout=30).json()["path"], "/devportal")

    # ---- the public clients --------------------------------------------------------------------------------------

    def authorize(self, client_id, redirect, scope, user=("admin", "admin"), challenge=None):
        q = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect, "scope": scope,
             "state": "st-1"}
        if challenge:
            q.update({"code_challenge": challenge, "code_challenge_method": "S256"})
        s = requests.Session()
        r, _ = km_flows.login(s, self.base + "/oauth2/authorize?" + urllib.parse.urlencode(q), *user)
        return r

    def check_public_client(self):
        rows = self.km.sql("SELECT CONSUMER_KEY, PKCE_MANDATORY, GRANT_TYPES, CALLBACK_URL FROM IDN_OAUTH_CONSUMER_APPS "
                           "WHERE CONSUMER_KEY LIKE 'gatehouse_%' AND CONSUMER_SECRET IS NULL ORDER BY CONSUMER_KEY")
        self.assertEqual([r[0] for r in rows], ["gatehouse_admin", "gatehouse_carbon", "gatehouse_devportal",
                                                "gatehouse_publisher"])
        for r in rows:
            self.assertEqual(r[1], "1")
            self.assertEqual(r[2], "authorization_code refresh_token")
        store_cb = [r[3] for r in rows if r[0] == "gatehouse_devportal"][0]
        for origin in ("https://localhost:%d" % self.km.srv.port(9443), "http://localhost:%d" % self.km.srv.port(9763)):
            self.assertIn(origin + "/store/", store_cb)
            self.assertIn(origin + "/devportal/", store_cb)

        redirect = self.base + "/publisher/"
        # PKCE is mandatory for a public client: refused on the page itself, not redirected (no redirect before the
        # user signs in: docs/security.md)
        r = self.authorize("gatehouse_publisher", redirect, "openid apim:api_view")
        self.assertEqual(r.status_code, 400)
        self.assertIn("code_challenge", r.text)
        self.assertNotIn("location", {k.lower() for k in r.headers})
        # another redirect URI is refused on the page itself
        v, ch = pkce()
        r = self.authorize("gatehouse_publisher", "http://evil.example/publisher/", "openid", challenge=ch)
        self.assertEqual(r.status_code, 400)

        v, ch = pkce()
        r = self.authorize("gatehouse_publisher", redirect, "openid apim:api_view apim:api_publish apim:subscribe",
                           challenge=ch)
        self.assertEqual(r.status_code, 302)
        loc = urllib.parse.urlparse(r.headers["location"])
        self.assertEqual(loc.scheme + "://" + loc.netloc + loc.path, redirect)
        code = urllib.parse.parse_qs(loc.query)["code"][0]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
                "client_id": "gatehouse_publisher"}
        # no verifier, a wrong verifier: refused (the code stays usable with the right one)
        r = requests.post(self.base + "/oauth2/token", data=form, timeout=30)
        self.assertEqual(r.status_code, 400)
        r = requests.post(self.base + "/oauth2/token", data=dict(form, code_verifier=pkce()[0]), timeout=30)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["error"], "invalid_grant")
        tok = requests.post(self.base + "/oauth2/token", data=dict(form, code_verifier=v), timeout=30)
        self.assertEqual(tok.status_code, 200, tok.text)
        t = tok.json()
        self.assertIn("apim:api_publish", t["scope"].split())
        self.assertIn("refresh_token", t)
        # a public client may refresh without a secret
        r = requests.post(self.base + "/oauth2/token", data={"grant_type": "refresh_token",
                                                             "refresh_token": t["refresh_token"],
                                                             "client_id": "gatehouse_publisher"}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        t = r.json()
        # but no grant that a secret protects
        for grant in ({"grant_type": "client_credentials"}, {"grant_type": "password", "username": "admin",
                                                             "password": "admin"}):
            r = requests.post(self.base + "/oauth2/token", data=dict(grant, client_id="gatehouse_publisher"),
                              timeout=30)
            self.assertEqual(r.status_code, 401, r.text)
            self.assertEqual(r.json()["error"], "invalid_client")
        # a secret is no way in either
        r = requests.post(self.base + "/oauth2/token", data={"grant_type": "client_credentials"},
                          headers={"Authorization": km_flows.basic("gatehouse_publisher", "")}, timeout=30)
        self.assertEqual(r.status_code, 401)
        # nor is introspection
        r = requests.post(self.base + "/oauth2/introspect", data={"token": t["access_token"],
                                                                  "client_id": "gatehouse_publisher"}, timeout=30)
        self.assertEqual(r.status_code, 401)
        # another public client cannot revoke it; its own can
        r = requests.post(self.base + "/oauth2/revoke", data={"token": t["access_token"], "client_id": "gatehouse_store"},
                          timeout=30)
        self.assertEqual(r.status_code, 401)
        r = requests.post(self.base + "/oauth2/revoke", data={"token": t["access_token"],
                                                              "client_id": "gatehouse_admin"}, timeout=30)
        self.assertEqual(r.status_code, 400)
        r = requests.post(self.base + "/oauth2/revoke", data={"token": t["access_token"],
                                                              "client_id": "gatehouse_publisher"}, timeout=30)
        self.assertEqual(r.status_code, 200)
        r = requests.post(self.base + "/oauth2/introspect", data={"token": t["access_token"]},
                          auth=("admin", "admin"), timeout=30)
        self.assertFalse(r.json()["active"])
        # a confidential client still needs its secret
        reg = self.km.register("confidential", ["client_credentials"]).json()
        r = requests.post(self.base + "/oauth2/token", data={"grant_type": "client_credentials",
                                                             "client_id": reg["client_id"]}, timeout=30)
        self.assertEqual(r.status_code, 401)

    # ---- /carbon/api -----------------------------------------------------------------------------------------------

    def token(self, user, password):
        v, ch = pkce()
        r = self.authorize("gatehouse_carbon", self.base + "/carbon/", "openid", user=(user, password), challenge=ch)
        code = urllib.parse.parse_qs(urllib.parse.urlparse(r.headers["location"]).query)["code"][0]
        r = requests.post(self.base + "/oauth2/token", data={"grant_type": "authorization_code", "code": code,
                                                             "redirect_uri": self.base + "/carbon/",
                                                             "client_id": "gatehouse_carbon", "code_verifier": v},
                          timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        return {"Authorization": "Bearer " + r.json()["access_token"]}

    def check_usermgt(self):
        api = self.base + "/carbon/api"
        admin = self.token("admin", "admin")
        r = requests.post(self.base + "/scim2/Users", auth=("admin", "admin"),
                          headers={"Content-Type": "application/scim+json"},
                          data=json.dumps({"userName": "viewer1", "password": "Viewer-Pass1"}), timeout=30)
        self.assertEqual(r.status_code, 201, r.text)
        viewer = self.token("viewer1", "Viewer-Pass1")

        r = requests.get(api + "/permissions", timeout=30)
        self.assertEqual(r.status_code, 401)
        self.assertIn("Bearer", r.headers["www-authenticate"])
        self.assertEqual(set(r.json()) >= {"code", "message", "description", "moreInfo", "error"}, True)
        self.assertEqual(requests.get(api + "/permissions", headers={"Authorization": "Bearer nope"},
                                      timeout=30).status_code, 401)
        r = requests.get(api + "/permissions", headers=viewer, timeout=30)
        self.assertEqual(r.status_code, 403)

        tree = requests.get(api + "/permissions", headers=admin, timeout=30).json()["permissions"]
        self.assertIn("/permission/admin/manage/api/subscribe", tree)
        self.assertEqual(tree, sorted(tree))
        mine = requests.get(api + "/permissions", params={"role": "Internal/subscriber"}, headers=admin,
                            timeout=30).json()
        self.assertEqual(mine["permissions"], ["/permission/admin/login", "/permission/admin/manage/api/subscribe"])

        # a new role gets exactly what is put, in one go; unknown roles, bad paths and the admin role are refused
        requests.post(self.base + "/scim2/Groups", auth=("admin", "admin"), headers={"Content-Type": "application/scim+json"},
                      data=json.dumps({"displayName": "Internal/viewers"}), timeout=30)
        put = lambda role, perms, h=admin, ct="application/json": requests.put(  # noqa: E731
            api + "/permissions", params={"role": role}, headers=dict(h, **{"Content-Type": ct}),
            data=json.dumps({"permissions": perms}), timeout=30)
        r = put("Internal/viewers", ["/permission/admin/login", "/permission/admin/manage/identity/rolemgt/view"])
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["permissions"], ["/permission/admin/login",
                                                   "/permission/admin/manage/identity/rolemgt/view"])
        r = put("Internal/viewers", ["/permission/admin/login"])
        self.assertEqual(r.json()["permissions"], ["/permission/admin/login"])
        r = put("Internal/viewers", ["/etc/passwd"])
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["error"][0]["code"], "permissions")
        r = put("Internal/nobody", ["/permission/admin/login"])
        self.assertEqual(r.status_code, 404)
        r = put("admin", [])
        self.assertEqual(r.status_code, 403)
        r = put("Internal/viewers", [], ct="text/plain")
        self.assertEqual(r.status_code, 415)
        r = put("Internal/viewers", ["/permission/admin/login"], h=viewer)
        self.assertEqual(r.status_code, 403)
        # the grant takes effect: a viewers member may now read the tree
        requests.patch(self.base + "/scim2/Groups/" + base64.urlsafe_b64encode(b"Internal/viewers").rstrip(b"=").decode(),
                       auth=("admin", "admin"), headers={"Content-Type": "application/scim+json"},
                       data=json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                           {"op": "add", "path": "members", "value": [{"value": self.user_id("viewer1")}]}]}), timeout=30)
        put("Internal/viewers", ["/permission/admin/manage/identity/rolemgt/view"])
        self.assertEqual(requests.get(api + "/permissions", headers=viewer, timeout=30).status_code, 200)

        # unlock: lock viewer1 with wrong passwords, then unlock
        for _ in range(6):
            requests.get(self.base + "/scim2/Me", auth=("viewer1", "wrong-pass"), timeout=30)
        r = requests.get(self.base + "/scim2/Users/" + self.user_id("viewer1"), auth=("admin", "admin"), timeout=30)
        self.assertFalse(r.json()["active"])
        r = requests.post(api + "/unlock", headers=dict(viewer, **{"Content-Type": "application/json"}),
                          data=json.dumps({"userName": "viewer1"}), timeout=30)
        self.assertEqual(r.status_code, 403)
        r = requests.post(api + "/unlock", headers=dict(admin, **{"Content-Type": "application/json"}),
                          data=json.dumps({"userName": "viewer1"}), timeout=30)
        self.assertEqual(r.status_code, 204, r.text)
        r = requests.get(self.base + "/scim2/Users/" + self.user_id("viewer1"), auth=("admin", "admin"), timeout=30)
        self.assertTrue(r.json()["active"])
        r = requests.post(api + "/unlock", headers=dict(admin, **{"Content-Type": "application/json"}),
                          data=json.dumps({"userName": "ghost"}), timeout=30)
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["error"][0]["code"], "userName")
        r = requests.post(api + "/unlock", headers=dict(admin, **{"Content-Type": "application/json"}),
                          data="{", timeout=30)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(requests.get(api + "/unlock", headers=admin, timeout=30).status_code, 405)
        self.assertEqual(requests.get(api + "/other", headers=admin, timeout=30).status_code, 404)

    def user_id(self, name):
        r = requests.get(self.base + "/scim2/Users", params={"filter": 'userName eq "%s"' % name},
                         auth=("admin", "admin"), timeout=30)
        return r.json()["Resources"][0]["id"]


if __name__ == "__main__":
    ghtest.main()
