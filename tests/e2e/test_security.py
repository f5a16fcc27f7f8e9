"""Issue 8: the sixteen findings against the key manager, SCIM and the HTTP runtime, reproduced black-box against
the real binary on SQLite, PostgreSQL and MariaDB. Each reproduction must now get a refusal with the right
status, and the database must show that nothing changed."""
import base64
import hashlib
import os
import re
import ssl
import socket
import time
import unittest
import urllib.parse

import ghtest
from sec_client import FORM, JSON, SCIM, Http, basic, client_basic

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
APPMGT = "/permission/admin/manage/identity/applicationmgt"
USERMGT = "/permission/admin/manage/identity/usermgt"
LOGIN = "/permission/admin/login"
CB = "http://127.0.0.1:1/cb"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # RFC 7636 appendix B
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


class SecurityBase:
    kind = "sqlite"

    @classmethod
    def setUpClass(cls):
        targets = dict(ghtest.db_targets())
        if cls.kind not in targets:
            raise unittest.SkipTest("no %s server" % cls.kind)
        cls.conf = ghtest.ConfTree(offset=ghtest.free_offset())
        cls.conf.edit("user-mgt.xml", r"(<UserStoreManager class=\"[^\"]+\">)",
                      r'\g<1>\n            <Property name="PasswordHashIterations">1000</Property>')
        cls.url = None
        if cls.kind != "sqlite":
            cls.url = ghtest.fresh_database(cls.kind, targets[cls.kind], "gh_e2e_security")
            ghtest.point_all_datasources(cls.conf, cls.kind, cls.url)
        cls.srv = ghtest.Server(cls.conf, profile="key-manager")
        cls.srv.wait_ready(9763)
        cls.http = Http(cls.srv.port(9763))

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        out = cls.srv.output()
        cls.conf.cleanup()
        assert rc == 0, out
        assert "ERROR: AddressSanitizer" not in out and "LeakSanitizer" not in out, out

    # --- helpers ---------------------------------------------------------------------------------------------

    def sql(self, q, db="WSO2CARBON_DB"):
        path = None if self.url else os.path.join(self.conf.home, "repository", "database", db + ".db")
        return ghtest.sql(self.url, q, path)

    def crlf(self, a, b):
        """An SQL expression for a + CR LF + b in this dialect."""
        if self.kind == "mysql":
            return "CONCAT('%s', CHAR(13), CHAR(10), '%s')" % (a, b)
        if self.kind == "postgresql":
            return "'%s' || chr(13) || chr(10) || '%s'" % (a, b)
        return "'%s' || char(13) || char(10) || '%s'" % (a, b)

    def cli(self, *args):
        rc, out, err = ghtest.run_cli("--conf", self.conf.dir, *args)
        self.assertEqual(rc, 0, err)
        return out

    def user(self, name, password="Secret-123", roles=()):
        r = self.http.call("POST", "/scim2/Users", {"schemas": [USER], "userName": name, "password": password},
                           auth=("admin", "admin"), ctype=SCIM)
        self.assertEqual(r.status, 201, r)
        for role in roles:
            self.cli("user", "role", "assign", name, role)
        return r.json()["id"]

    def role(self, name, *permissions):
        self.cli("user", "role", "add", name)
        for p in permissions:
            self.cli("user", "role", "grant", name, p)

    def group_id(self, role):
        r = self.http.call("GET", "/scim2/Groups", auth=("admin", "admin"))
        self.assertEqual(r.status, 200, r)
        for g in r.json()["Resources"]:
            if g["displayName"] == role:
                return g["id"]
        self.fail("no group %s" % role)

    def app_row(self, name):
        return self.sql("SELECT CONSUMER_KEY, CONSUMER_SECRET, USERNAME, CALLBACK_URL FROM IDN_OAUTH_CONSUMER_APPS "
                        "WHERE APP_NAME='%s'" % name, "WSO2AM_DB")

    def attr(self, user, name):
        rows = self.sql("SELECT A.UM_ATTR_VALUE FROM UM_USER_ATTRIBUTE A, UM_USER U WHERE A.UM_USER_ID=U.UM_ID AND "
                        "U.UM_USER_NAME='%s' AND A.UM_ATTR_NAME='%s'" % (user, name))
        return rows[0][0] if rows else None

    def in_role(self, user, role):
        return self.sql("SELECT COUNT(*) FROM UM_USER_ROLE UR, UM_ROLE R, UM_USER U WHERE UR.UM_ROLE_ID=R.UM_ID AND "
                        "UR.UM_USER_ID=U.UM_ID AND U.UM_USER_NAME='%s' AND R.UM_ROLE_NAME='%s'" % (user, role))[0][0] != "0"

    def password_hash(self, user):
        return self.sql("SELECT UM_USER_PASSWORD FROM UM_USER WHERE UM_USER_NAME='%s'" % user)

    def v014(self, who, password, name, grants="client_credentials password", callback="www.google.lk", **kw):
        body = {"clientName": name, "owner": who, "grantType": grants, "callbackUrl": callback, "saasApp": False}
        return self.http.call("POST", "/client-registration/v0.14/register", body, auth=(who, password), **kw)

    def dcr(self, auth, body, **kw):
        return self.http.call("POST", "/api/identity/oauth2/dcr/v1.1/register", body, auth=auth, **kw)

    def token(self, cid, secret, **form):
        r = self.http.call("POST", "/oauth2/token", urllib.parse.urlencode(form), ctype=FORM,
                           auth=client_basic(cid, secret))
        return r

    # --- the findings ----------------------------------------------------------------------------------------

    def test_f01_apim_dcr_name_collision_is_not_a_takeover(self):
        self.user("bob1", roles=["Internal/subscriber"])
        self.user("bob1_x", roles=["Internal/subscriber"])
        r = self.v014("bob1", "Secret-123", "x_y")
        self.assertEqual(r.status, 200, r)
        before = self.app_row("bob1_x_y")
        self.assertEqual(before[0][2], "bob1")
        # bob1_x asks for "y": the same stored name bob1_x_y, but another user's client
        r = self.v014("bob1_x", "Secret-123", "y")
        self.assertEqual(r.status, 409, r)
        self.assertNotIn("clientSecret", r.json())
        self.assertEqual(self.app_row("bob1_x_y"), before)  # secret not re-issued, owner unchanged
        # the owner still gets it back
        r = self.v014("bob1", "Secret-123", "x_y")
        self.assertEqual((r.status, r.json()["clientId"]), (200, before[0][0]))
        # the same with a name built from admin's
        self.user("admin_x", roles=["Internal/subscriber"])
        self.assertEqual(self.v014("admin", "admin", "x_y").status, 200)
        before = self.app_row("admin_x_y")
        r = self.v014("admin_x", "Secret-123", "y")
        self.assertEqual(r.status, 409, r)
        self.assertEqual(self.app_row("admin_x_y"), before)

    def test_f02_callbacks_are_checked_and_never_split_headers(self):
        # v0.14 and RFC 7591: CR/LF, javascript:, plain http to another host are refused for redirecting clients
        for cb in ("https://a.example/cb\r\nSet-Cookie: pwn=1", "javascript:alert(document.cookie)",
                   "http://evil.example/cb", "https://a.example/cb#frag"):
            r = self.v014("admin", "admin", "cb2", grants="authorization_code", callback=cb)
            self.assertEqual(r.status, 400, (cb, r))
            r = self.dcr(("admin", "admin"), {"client_name": "cb2rfc", "grant_types": ["authorization_code"],
                                              "redirect_uris": [cb]})
            self.assertEqual((r.status, r.json()["error"]), (400, "invalid_redirect_uri"), (cb, r))
        self.assertEqual(self.app_row("admin_cb2") + self.app_row("cb2rfc"), [])
        # WSO2's placeholder is kept for a client that never redirects, and never used as a redirect
        r = self.v014("admin", "admin", "cb2pw", callback="www.google.lk")
        self.assertEqual(r.status, 200, r)
        pw_client = r.json()["clientId"]
        self.assertEqual(self.app_row("admin_cb2pw")[0][3], "www.google.lk")
        r = self.http.call("GET", "/oauth2/authorize?response_type=code&client_id=" + pw_client)
        self.assertEqual(r.status, 400, r)
        self.assertIsNone(r.header("location"))
        # errors before sign-in are shown, not redirected: no open redirector
        r = self.dcr(("admin", "admin"), {"client_name": "cb2ac", "grant_types": ["authorization_code"],
                                          "redirect_uris": ["https://good.example/cb"]})
        self.assertEqual(r.status, 201, r)
        ac = r.json()["client_id"]
        for q in ("response_type=token", "response_type=code&code_challenge=x"):
            r = self.http.call("GET", "/oauth2/authorize?client_id=%s&%s" % (ac, q))
            self.assertEqual(r.status, 400, r)
            self.assertIsNone(r.header("location"))
        # a row stored before the check (CR LF in CALLBACK_URL) never reaches a header (a client not read yet:
        # the key manager caches clients for seconds)
        r = self.dcr(("admin", "admin"), {"client_name": "cb2legacy", "grant_types": ["authorization_code"],
                                          "redirect_uris": ["https://good.example/cb"]})
        ac = r.json()["client_id"]
        self.sql("UPDATE IDN_OAUTH_CONSUMER_APPS SET CALLBACK_URL=%s WHERE CONSUMER_KEY='%s'"
                 % (self.crlf("https://good.example/cb", "Set-Cookie: pwn=1"), ac), "WSO2AM_DB")
        r = self.http.call("GET", "/oauth2/authorize?response_type=code&client_id=%s&code_challenge=%s"
                                  "&code_challenge_method=S256" % (ac, CHALLENGE))
        self.assertEqual(r.status, 400, r)
        self.assertIsNone(r.header("location"))
        self.assertNotIn("pwn", r.header("set-cookie") or "")

    def test_f03_rfc7592_reads_and_changes_need_the_owner(self):
        self.role("appmgr3", LOGIN, APPMGT)
        self.user("carol3", roles=["appmgr3"])
        self.user("dave3", roles=["appmgr3"])
        r = self.dcr(("carol3", "Secret-123"), {"client_name": "carol3-app", "grant_types": ["password"]})
        self.assertEqual(r.status, 201, r)
        cid = r.json()["client_id"]
        path = "/api/identity/oauth2/dcr/v1.1/register/" + cid
        before = self.app_row("carol3-app")
        put = {"client_name": "dave3-owns-it", "grant_types": ["client_credentials"],
               "ext_param_client_secret": "stolen-secret-123"}
        self.assertEqual(self.http.call("GET", path, auth=("dave3", "Secret-123")).status, 403)
        self.assertEqual(self.http.call("PUT", path, put, auth=("dave3", "Secret-123")).status, 403)
        self.assertEqual(self.http.call("DELETE", path, auth=("dave3", "Secret-123")).status, 403)
        self.assertEqual(self.http.call("GET", path).status, 401)
        self.assertEqual(self.app_row("carol3-app"), before)
        self.assertEqual(self.app_row("dave3-owns-it"), [])
        self.assertEqual(self.http.call("GET", path, auth=("carol3", "Secret-123")).status, 200)
        self.assertEqual(self.http.call("GET", path, auth=("admin", "admin")).status, 200)

    def test_f04_login_cache_follows_roles_lock_and_password(self):
        self.role("usermgr4", LOGIN, USERMGT)
        self.user("erin4", roles=["usermgr4"])
        self.assertEqual(self.http.call("GET", "/scim2/Users", auth=("erin4", "Secret-123")).status, 200)
        gid = self.group_id("usermgr4")
        eid = self.http.call("GET", "/scim2/Me", auth=("erin4", "Secret-123")).json()["id"]
        r = self.http.call("PATCH", "/scim2/Groups/" + gid,
                           {"schemas": [PATCH], "Operations": [{"op": "remove", "path": 'members[value eq "%s"]' % eid}]},
                           auth=("admin", "admin"), ctype=SCIM)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.http.call("GET", "/scim2/Users", auth=("erin4", "Secret-123")).status, 403)
        # lock-out: failures from two addresses lock the account; the next request is refused at once
        self.user("frank4")
        self.assertEqual(self.http.call("GET", "/scim2/Me", auth=("frank4", "Secret-123")).status, 200)
        for i in range(5):
            r = self.http.call("GET", "/scim2/Me", auth=("frank4", "wrong-%d" % i), src="127.0.0.%d" % (41 + i % 2))
            self.assertEqual(r.status, 401, r)
        self.assertEqual(self.attr("frank4", "accountLock"), "true")
        r = self.http.call("GET", "/scim2/Me", auth=("frank4", "Secret-123"))
        self.assertEqual(r.status, 401, r)
        self.assertIn("locked", r.json()["detail"])
        # a password changed by an administrator: the old one fails at once
        gid = self.user("gus4")
        self.assertEqual(self.http.call("GET", "/scim2/Me", auth=("gus4", "Secret-123")).status, 200)
        r = self.http.call("PATCH", "/scim2/Users/" + gid, {"schemas": [PATCH], "Operations": [
            {"op": "replace", "path": "password", "value": "Other-456"}]}, auth=("admin", "admin"), ctype=SCIM)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.http.call("GET", "/scim2/Me", auth=("gus4", "Secret-123")).status, 401)
        self.assertEqual(self.http.call("GET", "/scim2/Me", auth=("gus4", "Other-456")).status, 200)

    def test_f05_bearer_tokens_need_the_scim_scopes(self):
        r = self.dcr(("admin", "admin"), {"client_name": "scopes5", "grant_types": ["password"]})
        app = r.json()

        def tok(user, password, scope):
            r = self.token(app["client_id"], app["client_secret"], grant_type="password", username=user,
                           password=password, scope=scope)
            self.assertEqual(r.status, 200, r)
            return "Bearer " + r.json()["access_token"]
        plain = tok("admin", "admin", "openid")
        listing = tok("admin", "admin", "internal_user_mgt_list")
        create = tok("admin", "admin", "internal_user_mgt_create")
        r = self.http.call("GET", "/scim2/Users", auth=plain)
        self.assertEqual((r.status, r.json()["scimType"]), (403, "insufficient_scope"))
        self.assertEqual(self.http.call("GET", "/scim2/Users", auth=listing).status, 200)
        body = {"schemas": [USER], "userName": "ivan5", "password": "Secret-123"}
        self.assertEqual(self.http.call("POST", "/scim2/Users", body, auth=listing, ctype=SCIM).status, 403)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM UM_USER WHERE UM_USER_NAME='ivan5'"), [["0"]])
        self.assertEqual(self.http.call("POST", "/scim2/Users", body, auth=create, ctype=SCIM).status, 201)
        self.assertEqual(self.http.call("GET", "/scim2/Groups", auth=listing).status, 403)
        self.assertEqual(self.http.call("GET", "/scim2/Me", auth=tok("ivan5", "Secret-123", "openid")).status, 403)
        self.assertEqual(self.http.call("GET", "/scim2/Me", auth=tok("ivan5", "Secret-123", "internal_login")).status,
                         200)

    def test_f06_state_changing_json_endpoints_refuse_forms_and_foreign_origins(self):
        body = {"schemas": [USER], "userName": "judy6", "password": "Secret-123"}
        import json as _json
        r = self.http.call("POST", "/scim2/Users", _json.dumps(body), auth=("admin", "admin"), ctype="text/plain")
        self.assertEqual(r.status, 415, r)
        r = self.http.call("POST", "/scim2/Users", body, auth=("admin", "admin"), ctype=SCIM,
                           headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM UM_USER WHERE UM_USER_NAME='judy6'"), [["0"]])
        r = self.dcr(("admin", "admin"), _json.dumps({"client_name": "csrf6", "grant_types": ["password"]}),
                     ctype="text/plain")
        self.assertEqual(r.status, 415, r)
        r = self.v014("admin", "admin", "csrf6", headers={"Origin": "null"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.app_row("csrf6") + self.app_row("admin_csrf6"), [])
        uid = self.user("judy6")
        r = self.http.call("DELETE", "/scim2/Users/" + uid, auth=("admin", "admin"),
                           headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 403, r)
        r = self.http.call("PATCH", "/scim2/Me", _json.dumps({"schemas": [PATCH], "Operations": [
            {"op": "replace", "path": "password", "value": "Owned-123"}]}), auth=("judy6", "Secret-123"),
            ctype="text/plain")
        self.assertEqual(r.status, 415, r)
        self.assertEqual(self.http.call("GET", "/scim2/Me", auth=("judy6", "Secret-123")).status, 200)
        # the same origin passes
        own = "http://localhost:%d" % self.srv.port(9763)
        r = self.http.call("GET", "/scim2/Users/" + uid, auth=("admin", "admin"), headers={"Origin": own})
        self.assertEqual(r.status, 200, r)
        r = self.http.call("DELETE", "/scim2/Users/" + uid, auth=("admin", "admin"),
                           headers={"Origin": own, "Host": "localhost:%d" % self.srv.port(9763)})
        self.assertEqual(r.status, 204, r)

    def test_f07_one_anonymous_client_cannot_lock_accounts(self):
        self.user("gina7")
        statuses = [self.http.call("GET", "/scim2/Me", auth=("gina7", "wrong-%d" % i), src="127.0.0.71").status
                    for i in range(8)]
        self.assertEqual(statuses, [401] * 4 + [429] * 4)
        self.assertEqual(self.attr("gina7", "failedLoginAttempts"), "4")
        self.assertNotEqual(self.attr("gina7", "accountLock"), "true")
        self.assertEqual(self.http.call("GET", "/scim2/Me", auth=("gina7", "Secret-123"), src="127.0.0.72").status,
                         200)
        # an address that fails on many names is refused outright, even with a right password
        for i in range(20):
            self.http.call("GET", "/scim2/Me", auth=("nobody7-%d" % i, "wrong"), src="127.0.0.73")
        r = self.http.call("GET", "/scim2/Me", auth=("gina7", "Secret-123"), src="127.0.0.73")
        self.assertEqual(r.status, 429, r)
        # the last unlocked administrator is never locked out (docs/security.md)
        for i in range(6):
            self.http.call("GET", "/scim2/Me", auth=("admin", "wrong-%d" % i), src="127.0.0.%d" % (74 + i % 3))
        self.assertNotEqual(self.attr("admin", "accountLock"), "true")
        self.assertEqual(self.http.call("GET", "/scim2/Me", auth=("admin", "admin"), src="127.0.0.77").status, 200)

    def test_f08_user_management_is_not_administration(self):
        self.role("usermgr8", LOGIN, USERMGT)
        self.user("hank8", roles=["usermgr8"])
        hank = ("hank8", "Secret-123")
        hid = self.http.call("GET", "/scim2/Me", auth=hank).json()["id"]
        admin_gid = self.group_id("admin")
        r = self.http.call("PATCH", "/scim2/Groups/" + admin_gid, {"schemas": [PATCH], "Operations": [
            {"op": "add", "path": "members", "value": [{"value": hid}]}]}, auth=hank, ctype=SCIM)
        self.assertEqual(r.status, 403, r)
        self.assertFalse(self.in_role("hank8", "admin"))
        admin_id = self.http.call("GET", "/scim2/Me", auth=("admin", "admin")).json()["id"]
        before = self.password_hash("admin")
        r = self.http.call("PATCH", "/scim2/Users/" + admin_id, {"schemas": [PATCH], "Operations": [
            {"op": "replace", "path": "password", "value": "Owned-123"}]}, auth=hank, ctype=SCIM)
        self.assertEqual(r.status, 403, r)
        r = self.http.call("PUT", "/scim2/Users/" + admin_id, {"schemas": [USER], "userName": "admin",
                                                                "password": "Owned-123"}, auth=hank, ctype=SCIM)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.http.call("DELETE", "/scim2/Users/" + admin_id, auth=hank).status, 403)
        self.assertEqual(self.password_hash("admin"), before)
        # plain users stay manageable
        uid = self.user("ivy8")
        r = self.http.call("PATCH", "/scim2/Users/" + uid, {"schemas": [PATCH], "Operations": [
            {"op": "replace", "path": "name.givenName", "value": "Ivy"}]}, auth=hank, ctype=SCIM)
        self.assertEqual(r.status, 200, r)
        # the last administrator stays
        r = self.http.call("PUT", "/scim2/Groups/" + admin_gid, {"displayName": "admin", "members": []},
                           auth=("admin", "admin"), ctype=SCIM)
        self.assertEqual(r.status, 409, r)
        self.assertTrue(self.in_role("admin", "admin"))
        self.assertEqual(self.http.call("DELETE", "/scim2/Groups/" + admin_gid, auth=("admin", "admin")).status, 403)

    def test_f09_user_basic_credentials_are_not_form_decoded(self):
        self.role("appmgr9", LOGIN, APPMGT)
        pw = "P+ss%zz%41w0"  # '+' and a valid and an invalid percent escape
        self.user("kim9", password=pw, roles=["appmgr9"])
        r = self.dcr(basic("kim9", pw), {"client_name": "kim9-app", "grant_types": ["password"]})
        self.assertEqual(r.status, 201, r)
        r = self.http.call("POST", "/oauth2/introspect", "token=nothing", ctype=FORM, auth=basic("kim9", pw))
        self.assertEqual((r.status, r.json()), (200, {"active": False}))
        # the decoded form is not her password
        r = self.http.call("POST", "/oauth2/introspect", "token=nothing", ctype=FORM, auth=basic("kim9", "P ss%zzAw0"))
        self.assertEqual(r.status, 401, r)

    def test_f10_a_client_id_never_shadows_a_user(self):
        self.user("lee10")
        for cid in ("admin", "lee10", "LEE10"):
            r = self.dcr(("admin", "admin"), {"client_name": "shadow10-" + cid, "grant_types": ["client_credentials"],
                                              "ext_param_client_id": cid, "ext_param_client_secret": "secret-10-abc"})
            self.assertEqual((r.status, r.json()["error"]), (400, "invalid_client_metadata"), r)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM IDN_OAUTH_CONSUMER_APPS WHERE CONSUMER_KEY IN "
                                  "('admin','lee10','LEE10')", "WSO2AM_DB"), [["0"]])
        # a user named like nothing registered introspects as herself
        r = self.http.call("POST", "/oauth2/introspect", "token=nothing", ctype=FORM, auth=basic("admin", "admin"))
        self.assertEqual(r.status, 200, r)

    def login_code(self, client_id, redirect_uri):
        """Drive the login page as a browser: a code for admin."""
        q = {"response_type": "code", "client_id": client_id, "code_challenge": CHALLENGE,
             "code_challenge_method": "S256", "state": "s1"}
        if redirect_uri:
            q["redirect_uri"] = redirect_uri
        r = self.http.call("GET", "/oauth2/authorize?" + urllib.parse.urlencode(q))
        self.assertEqual(r.status, 200, r)
        inputs = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', r.body.decode()))
        cookie = r.header("set-cookie").split(";")[0]
        inputs.update({"username": "admin", "password": "admin", "consent": "approve"})
        r = self.http.call("POST", "/oauth2/authorize", urllib.parse.urlencode(inputs), ctype=FORM,
                           headers={"Cookie": cookie})
        self.assertEqual(r.status, 302, r)
        return urllib.parse.parse_qs(urllib.parse.urlparse(r.header("location")).query)["code"][0]

    def test_f11_redirect_uri_is_required_when_the_request_had_it(self):
        r = self.dcr(("admin", "admin"), {"client_name": "code11", "grant_types": ["authorization_code"],
                                          "redirect_uris": [CB]})
        app = r.json()
        code = self.login_code(app["client_id"], CB)
        active = "SELECT COUNT(*) FROM IDN_OAUTH2_AUTHORIZATION_CODE WHERE STATE='ACTIVE'"
        before = self.sql(active, "WSO2AM_DB")
        r = self.token(app["client_id"], app["client_secret"], grant_type="authorization_code", code=code,
                       code_verifier=VERIFIER)
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_request"), r)
        self.assertEqual(self.sql(active, "WSO2AM_DB"), before)  # the code was not spent
        r = self.token(app["client_id"], app["client_secret"], grant_type="authorization_code", code=code,
                       code_verifier=VERIFIER, redirect_uri=CB)
        self.assertEqual(r.status, 200, r)

    def test_f12_tls_offers_only_forward_secret_aead_suites(self):
        port = self.srv.port(9443)

        def handshake(cipher=None, version=ssl.TLSVersion.TLSv1_2):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.minimum_version = ctx.maximum_version = version
            try:
                if cipher:
                    ctx.set_ciphers(cipher + ":@SECLEVEL=0")
                with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                    with ctx.wrap_socket(s, server_hostname="localhost") as t:
                        return t.cipher()[0]
            except (ssl.SSLError, ConnectionResetError):
                return None
        for weak in ("AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384"):
            self.assertIsNone(handshake(weak), weak)
        self.assertEqual(handshake("ECDHE-RSA-AES128-GCM-SHA256"), "ECDHE-RSA-AES128-GCM-SHA256")
        self.assertEqual(handshake("ECDHE-RSA-CHACHA20-POLY1305"), "ECDHE-RSA-CHACHA20-POLY1305")
        self.assertIsNotNone(handshake(version=ssl.TLSVersion.TLSv1_3))
        self.assertIsNone(handshake(version=ssl.TLSVersion.TLSv1_1))

    def test_f13_scim_errors_carry_their_detail(self):
        r = self.http.call("POST", "/scim2/Users", {"schemas": [USER], "userName": "mia13", "password": "Secret-123",
                                                    "emails": "not-a-list"}, auth=("admin", "admin"), ctype=SCIM)
        self.assertEqual(r.status, 400, r)
        self.assertIn("emails", r.json()["detail"])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM UM_USER WHERE UM_USER_NAME='mia13'"), [["0"]])

    def test_f14_control_characters_never_reach_the_log(self):
        name = "ab\x1b[31mred\x07"
        r = self.http.call("GET", "/scim2/Me", auth=basic(name, "whatever"), src="127.0.0.14")
        self.assertEqual(r.status, 401, r)
        # such a name is never stored either
        r = self.http.call("POST", "/scim2/Users", {"schemas": [USER], "userName": name, "password": "Secret-123"},
                           auth=("admin", "admin"), ctype=SCIM)
        self.assertEqual(r.status, 400, r)
        log = self.srv.output()
        self.assertIn("ab\\x1b[31mred\\x07", log)
        self.assertNotIn("\x1b", log)
        self.assertNotIn("\x07", log)

    def test_f15_content_length_with_transfer_encoding_is_refused(self):
        body = b'{"schemas":["%s"],"userName":"noah15","password":"Secret-123"}' % USER.encode()
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        req = (b"POST /scim2/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + basic("admin", "admin").encode() +
               b"\r\nContent-Type: application/scim+json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" +
               chunked + b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        out, closed = self.http.raw(req)
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
        self.assertEqual(out.count(b"HTTP/1.1 "), 1, out)  # the smuggled second request is never answered
        self.assertTrue(closed)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM UM_USER WHERE UM_USER_NAME='noah15'"), [["0"]])

    def test_f16_pkce_challenge_is_s256_only(self):
        r = self.dcr(("admin", "admin"), {"client_name": "pkce16", "grant_types": ["authorization_code"],
                                          "redirect_uris": [CB]})
        cid = r.json()["client_id"]
        bad = [("S256", CHALLENGE[:-1] + "!"), ("S256", "~" * 43), ("", CHALLENGE), ("plain", VERIFIER),
               ("S256", CHALLENGE[:-1])]
        for method, ch in bad:
            q = {"response_type": "code", "client_id": cid, "redirect_uri": CB, "code_challenge": ch}
            if method:
                q["code_challenge_method"] = method
            r = self.http.call("GET", "/oauth2/authorize?" + urllib.parse.urlencode(q))
            self.assertEqual(r.status, 400, (method, ch, r))
            self.assertIsNone(r.header("location"))
        q = {"response_type": "code", "client_id": cid, "redirect_uri": CB, "code_challenge": CHALLENGE,
             "code_challenge_method": "S256"}
        self.assertEqual(self.http.call("GET", "/oauth2/authorize?" + urllib.parse.urlencode(q)).status, 200)
        r = self.http.call("GET", "/oauth2/oidcdiscovery/.well-known/openid-configuration")
        self.assertEqual(r.json()["code_challenge_methods_supported"], ["S256"])


class SecuritySqlite(SecurityBase, unittest.TestCase):
    kind = "sqlite"


class SecurityPostgres(SecurityBase, unittest.TestCase):
    kind = "postgresql"


class SecurityMysql(SecurityBase, unittest.TestCase):
    kind = "mysql"


if __name__ == "__main__":
    ghtest.main()
