"""Issue 4: SCIM 2.0 over HTTP on SQLite, PostgreSQL and MariaDB: create, read, filter, page, replace, patch,
groups, /Me, password changes, and the error bodies (401 / 403 / 400 / 404 / 409)."""
import base64
import json
import os
import unittest

import ghtest

SCIM_JSON = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()}


class ScimBase:
    kind = "sqlite"

    @classmethod
    def setUpClass(cls):
        targets = dict(ghtest.db_targets())
        if cls.kind not in targets:
            raise unittest.SkipTest("no %s server" % cls.kind)
        cls.conf = ghtest.ConfTree(offset=ghtest.free_offset())
        # a cheaper KDF keeps the suite quick; the hashing itself is the default algorithm
        cls.conf.edit("user-mgt.xml", r"(<UserStoreManager class=\"[^\"]+\">)",
                      r'\g<1>\n            <Property name="PasswordHashIterations">1000</Property>')
        cls.url = None
        if cls.kind != "sqlite":
            cls.url = ghtest.fresh_database(cls.kind, targets[cls.kind], "gh_e2e_scim")
            ghtest.point_all_datasources(cls.conf, cls.kind, cls.url)
        cls.srv = ghtest.Server(cls.conf, profile="key-manager")
        cls.srv.wait_ready(9763)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        out = cls.srv.output()
        cls.conf.cleanup()
        assert rc == 0, out
        assert "ERROR: AddressSanitizer" not in out and "LeakSanitizer" not in out, out

    def call(self, method, path, body=None, auth=("admin", "admin"), raw=None, headers=None):
        h = {"Content-Type": SCIM_JSON}
        if auth is not None:
            h.update(basic(*auth))
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        status, hdrs, out = ghtest.http(method, self.srv.url(9763, "/scim2" + path), data, h)
        doc = json.loads(out) if out else None
        return status, hdrs, doc

    def sql(self, q):
        db = None if self.url else os.path.join(self.conf.home, "repository", "database", "WSO2CARBON_DB.db")
        return ghtest.sql(self.url, q, db)

    def create(self, user_name, password="Secret-123", **extra):
        body = {"schemas": [USER], "userName": user_name, "password": password}
        body.update(extra)
        status, _, doc = self.call("POST", "/Users", body)
        self.assertEqual(status, 201, doc)
        return doc

    def test_create_read_and_authenticate(self):
        doc = self.create("carol", name={"givenName": "Carol", "familyName": "Danvers"},
                          emails=[{"value": "carol@example.com", "primary": True}])
        self.assertEqual(doc["userName"], "carol")
        self.assertEqual(doc["name"]["givenName"], "Carol")
        self.assertEqual(doc["emails"][0]["value"], "carol@example.com")
        status, _, got = self.call("GET", "/Users/" + doc["id"])
        self.assertEqual(status, 200)
        self.assertEqual(got["id"], doc["id"])
        # the new user can authenticate (as herself, on /Me)
        status, _, me = self.call("GET", "/Me", auth=("carol", "Secret-123"))
        self.assertEqual(status, 200, me)
        self.assertEqual(me["userName"], "carol")
        # claims are stored under WSO2's attribute names (claim http://wso2.org/claims/emailaddress -> mail)
        rows = self.sql("SELECT A.UM_ATTR_NAME, A.UM_ATTR_VALUE FROM UM_USER_ATTRIBUTE A, UM_USER U "
                        "WHERE A.UM_USER_ID=U.UM_ID AND U.UM_USER_NAME='carol' AND A.UM_ATTR_NAME IN "
                        "('mail','givenName','sn')")
        self.assertEqual(sorted(map(tuple, rows)),
                         [("givenName", "Carol"), ("mail", "carol@example.com"), ("sn", "Danvers")])
        # and no password in plain text
        self.assertEqual(self.sql("SELECT COUNT(*) FROM UM_USER WHERE UM_USER_PASSWORD LIKE '%Secret-123%'"),
                         [["0"]])

    def test_filter_and_paging(self):
        for i in range(5):
            self.create("pager%d" % i, emails=[{"value": "pager%d@paging.test" % i}])
        status, _, doc = self.call("GET", "/Users?filter=" + "userName%20sw%20%22pager%22&startIndex=2&count=2")
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["totalResults"], 5)
        self.assertEqual(doc["startIndex"], 2)
        self.assertEqual([u["userName"] for u in doc["Resources"]], ["pager1", "pager2"])
        status, _, doc = self.call("GET", "/Users?filter=emails%20co%20%22paging.test%22%20and%20userName%20eq%20%22PAGER3%22")
        self.assertEqual(status, 200, doc)
        self.assertEqual([u["userName"] for u in doc["Resources"]], ["pager3"])
        status, _, doc = self.call("GET", "/Users?filter=name.givenName%20eq%20%22nobody%22")
        self.assertEqual((status, doc["totalResults"], doc["Resources"]), (200, 0, []))

    def test_replace_patch_and_password_change(self):
        doc = self.create("dave", name={"givenName": "Dave"}, emails=[{"value": "dave@example.com"}])
        status, _, got = self.call("PUT", "/Users/" + doc["id"],
                                   {"schemas": [USER], "userName": "dave", "name": {"familyName": "Bowman"}})
        self.assertEqual(status, 200, got)
        self.assertEqual(got["name"], {"familyName": "Bowman"})  # PUT replaces: givenName and email are gone
        self.assertNotIn("emails", got)
        status, _, got = self.call("PATCH", "/Users/" + doc["id"], {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "name.givenName", "value": "David"},
                           {"op": "replace", "path": "password", "value": "New-Pass-456"}]})
        self.assertEqual(status, 200, got)
        self.assertEqual(got["name"]["givenName"], "David")
        self.assertEqual(self.call("GET", "/Me", auth=("dave", "Secret-123"))[0], 401)
        self.assertEqual(self.call("GET", "/Me", auth=("dave", "New-Pass-456"))[0], 200)
        status, _, got = self.call("PUT", "/Users/" + doc["id"], {"schemas": [USER], "userName": "other"})
        self.assertEqual(status, 400)
        self.assertEqual(got["scimType"], "mutability")

    def test_groups_and_role_changes(self):
        u = self.create("erin")
        status, _, g = self.call("POST", "/Groups", {"displayName": "auditors", "members": [{"value": u["id"]}]})
        self.assertEqual(status, 201, g)
        self.assertEqual([m["display"] for m in g["members"]], ["erin"])
        status, _, me = self.call("GET", "/Users/" + u["id"])
        self.assertIn("auditors", [x["display"] for x in me["groups"]])
        status, _, g2 = self.call("PATCH", "/Groups/" + g["id"], {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "remove", "path": 'members[value eq "%s"]' % u["id"]}]})
        self.assertEqual(status, 200, g2)
        self.assertEqual(g2["members"], [])
        status, _, me = self.call("GET", "/Users/" + u["id"])
        self.assertNotIn("auditors", [x["display"] for x in me["groups"]])
        status, _, lst = self.call("GET", "/Groups?filter=displayName%20eq%20%22auditors%22")
        self.assertEqual([x["displayName"] for x in lst["Resources"]], ["auditors"])
        self.assertEqual(self.call("DELETE", "/Groups/" + g["id"])[0], 204)
        self.assertEqual(self.call("GET", "/Groups/" + g["id"])[0], 404)

    def test_errors_use_the_scim_body(self):
        status, hdrs, doc = self.call("GET", "/Users", auth=None)
        self.assertEqual(status, 401)
        self.assertIn("Basic", hdrs.get("WWW-Authenticate", hdrs.get("www-authenticate", "")))
        self.assertEqual(doc["schemas"], [ERROR])
        status, _, doc = self.call("GET", "/Users", auth=("admin", "wrong-password"))
        self.assertEqual((status, doc["schemas"]), (401, [ERROR]))
        self.create("frank")
        status, _, doc = self.call("GET", "/Users", auth=("frank", "Secret-123"))
        self.assertEqual((status, doc["status"]), (403, "403"))
        status, _, doc = self.call("POST", "/Users", raw=b'{"userName": "x", ')
        self.assertEqual((status, doc["scimType"]), (400, "invalidSyntax"))
        status, _, doc = self.call("GET", "/Users?filter=userName%20zz%20%22a%22")
        self.assertEqual((status, doc["scimType"]), (400, "invalidFilter"))
        status, _, doc = self.call("GET", "/Users/no-such-id")
        self.assertEqual((status, doc["schemas"]), (404, [ERROR]))
        status, _, doc = self.call("POST", "/Users", {"schemas": [USER], "userName": "frank", "password": "Secret-123"})
        self.assertEqual((status, doc["scimType"]), (409, "uniqueness"))
        status, _, doc = self.call("POST", "/Users", {"schemas": [USER], "userName": "ab", "password": "Secret-123"})
        self.assertEqual(status, 400, doc)  # WSO2's default pattern wants 3 to 30 non-space characters
        # nothing half-written: the refused user does not exist
        self.assertEqual(self.sql("SELECT COUNT(*) FROM UM_USER WHERE UM_USER_NAME='ab'"), [["0"]])

    def test_hostile_user_name_is_stored_literally_or_refused(self):
        name = "o'brien\";DROP_TABLE_UM_USER;--"
        status, _, doc = self.call("POST", "/Users", {"schemas": [USER], "userName": name, "password": "Secret-123"})
        self.assertIn(status, (201, 400), doc)
        if status == 201:
            self.assertEqual(doc["userName"], name)
            self.assertEqual(self.call("GET", "/Me", auth=(name, "Secret-123"))[0], 200)
        self.assertGreaterEqual(int(self.sql("SELECT COUNT(*) FROM UM_USER")[0][0]), 1)

    def test_bearer_tokens_from_the_key_manager(self):
        self.create("ivan")
        h = dict(basic("admin", "admin"), **{"Content-Type": "application/json"})
        status, _, out = ghtest.http("POST", self.srv.url(9763, "/api/identity/oauth2/dcr/v1.1/register"),
                                     json.dumps({"client_name": "scim-bearer", "grant_types": ["password"]}).encode(), h)
        self.assertEqual(status, 201, out)
        app = json.loads(out)
        cred = base64.b64encode(("%s:%s" % (app["client_id"], app["client_secret"])).encode()).decode()

        def token(user, password, scope="internal_login internal_user_mgt_list"):
            # bearer tokens carry WSO2 IS's SCIM scopes (issue 8); the user's permissions still apply
            status, _, out = ghtest.http("POST", self.srv.url(9763, "/oauth2/token"),
                                         ("grant_type=password&username=%s&password=%s&scope=%s"
                                          % (user, password, scope.replace(" ", "+"))).encode(),
                                         {"Authorization": "Basic " + cred,
                                          "Content-Type": "application/x-www-form-urlencoded"})
            self.assertEqual(status, 200, out)
            return json.loads(out)["access_token"]
        admin_tok, ivan_tok = token("admin", "admin"), token("ivan", "Secret-123")
        status, _, doc = self.call("GET", "/Users", auth=None, headers={"Authorization": "Bearer " + admin_tok})
        self.assertEqual(status, 200, doc)
        status, _, doc = self.call("GET", "/Users", auth=None, headers={"Authorization": "Bearer " + ivan_tok})
        self.assertEqual(status, 403, doc)
        status, _, doc = self.call("GET", "/Me", auth=None, headers={"Authorization": "Bearer " + ivan_tok})
        self.assertEqual((status, doc["userName"]), (200, "ivan"))
        # without the scope of the operation a token is refused even for an administrator
        status, _, doc = self.call("GET", "/Users", auth=None,
                                   headers={"Authorization": "Bearer " + token("admin", "admin", "openid")})
        self.assertEqual((status, doc["scimType"]), (403, "insufficient_scope"))
        status, _, doc = self.call("GET", "/Users", auth=None, headers={"Authorization": "Bearer not-a-token"})
        self.assertEqual((status, doc["schemas"]), (401, [ERROR]))
        # revoked at the key manager: refused at once
        ghtest.http("POST", self.srv.url(9763, "/oauth2/revoke"), ("token=" + admin_tok).encode(),
                    {"Authorization": "Basic " + cred, "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(self.call("GET", "/Users", auth=None, headers={"Authorization": "Bearer " + admin_tok})[0],
                         401)

    def test_parallel_wrong_passwords_all_count(self):
        import threading
        self.create("kate")
        threads = [threading.Thread(target=self.call, args=("GET", "/Me"), kwargs={"auth": ("kate", "wrong-%d" % i)})
                   for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        rows = self.sql("SELECT A.UM_ATTR_VALUE FROM UM_USER_ATTRIBUTE A, UM_USER U WHERE A.UM_USER_ID=U.UM_ID "
                        "AND U.UM_USER_NAME='kate' AND A.UM_ATTR_NAME='failedLoginAttempts'")
        self.assertEqual(rows, [["4"]])  # no failure lost to a race between the parallel attempts
        self.assertEqual(self.call("GET", "/Me", auth=("kate", "Secret-123"))[0], 200)  # 4 < 5: not locked

    def test_delete_user(self):
        u = self.create("gina")
        self.assertEqual(self.call("DELETE", "/Users/" + u["id"])[0], 204)
        self.assertEqual(self.call("GET", "/Users/" + u["id"])[0], 404)
        self.assertEqual(self.call("GET", "/Me", auth=("gina", "Secret-123"))[0], 401)


class ScimSqlite(ScimBase, unittest.TestCase):
    kind = "sqlite"


class ScimPostgres(ScimBase, unittest.TestCase):
    kind = "postgresql"


class ScimMysql(ScimBase, unittest.TestCase):
    kind = "mysql"


if __name__ == "__main__":
    ghtest.main()
