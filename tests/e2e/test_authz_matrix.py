"""The authorisation matrix (issue 8): every route `gatehouse --list-routes` prints, for every method it
declares, answered for no credentials, a user without the permission, another user, the owner and the
administrator, on SQLite, PostgreSQL and MariaDB. The rows live in tests/e2e/authz/*.py, one file per module;
authz/__init__.py says how a module adds its own. A listed route or method without a row fails, and so does a
row for a route the server does not list."""
import glob
import importlib
import itertools
import json
import os
import sys
import unittest
import urllib.parse

import ghtest
from sec_client import FORM, JSON, Http, basic, client_basic

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import authz  # noqa: E402

SCIM = "application/scim+json"
PASSWORD = "Matrix-pass-1"
MEMBER_PERMISSIONS = ("/permission/admin/login", "/permission/admin/manage/identity/applicationmgt",
                      "/permission/admin/manage/identity/usermgt", "/permission/admin/manage/api/subscribe",
                      "/permission/admin/manage/api/create", "/permission/admin/manage/api/publish")
BEARER_SCOPES = ("openid internal_login internal_user_mgt_list internal_user_mgt_view internal_user_mgt_create "
                 "internal_user_mgt_update internal_user_mgt_delete internal_group_mgt_view internal_group_mgt_create "
                 "internal_group_mgt_update internal_group_mgt_delete apim:api_view apim:api_create apim:api_publish "
                 "apim:subscribe apim:tier_view apim:tier_manage apim:admin")


def load_rows():
    rows = []
    for path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "authz", "*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        if name.startswith("_"):
            continue
        mod = importlib.import_module("authz." + name)
        rows += [(name, r) for r in mod.ROWS]
    return rows


def list_routes(conf):
    rc, out, err = ghtest.run_cli("--conf", conf.dir, "--profile", "all", "--list-routes")
    if rc != 0:
        raise AssertionError("--list-routes failed: %s" % err)
    routes = {}
    for line in out.splitlines():
        listener, methods, path = line.split(" ", 2)
        routes[(listener, path)] = set(methods.split(","))
    return routes


class Fixture:
    """The callers and the objects rows act on, created through the real APIs as the administrator."""
    CB = "http://127.0.0.1:1/cb"

    def __init__(self, srv, conf):
        self.http = {"management": Http(srv.port(9763)), "gateway": Http(srv.port(8280))}
        self.conf = conf
        self.counter = itertools.count(1)
        self.ids, self.clients, self.tokens, self.groups = {}, {}, {}, {}
        self.cli("user", "role", "add", "authz_member")
        for p in MEMBER_PERMISSIONS:
            self.cli("user", "role", "grant", "authz_member", p)
        for who in ("noperm", "other", "owner"):
            self.cli("user", "add", who, "--password", PASSWORD, *(("--role", "authz_member") if who != "noperm" else ()))
        self.passwords = {"noperm": PASSWORD, "other": PASSWORD, "owner": PASSWORD, "admin": "admin"}

    def cli(self, *args):
        rc, out, err = ghtest.run_cli("--conf", self.conf.dir, *args)
        if rc != 0:
            raise AssertionError("gatehouse %s: %s" % (" ".join(args), err))
        return out

    def admin(self, method, path, body=None, ctype=None):
        r = self.http["management"].call(method, path, body, auth=("admin", "admin"), ctype=ctype)
        if r.status >= 300:
            raise AssertionError("fixture %s %s: %r" % (method, path, r))
        return r.json()

    def unique(self, prefix):
        return "%s%d" % (prefix, next(self.counter))

    def user_id(self, who):
        if who not in self.ids:
            r = self.http["management"].call("GET", "/scim2/Me", auth=(who, self.passwords[who]))
            self.ids[who] = r.json()["id"]
        return self.ids[who]

    def fresh_user(self):
        return self.admin("POST", "/scim2/Users", {"userName": self.unique("fresh"), "password": "Secret-123"},
                          SCIM)["id"]

    def fresh_group(self):
        return self.admin("POST", "/scim2/Groups", {"displayName": self.unique("grp")}, SCIM)["id"]

    def group_id(self, name):
        if name not in self.groups:
            for g in self.admin("GET", "/scim2/Groups?count=200")["Resources"]:
                self.groups[g["displayName"]] = g["id"]
        return self.groups[name]

    def client(self, owner, code=False, fresh=False):
        """An OAuth client registered (by the administrator) for `owner`."""
        key = (owner, code)
        if fresh or key not in self.clients:
            body = {"client_name": self.unique("c-" + owner), "ext_param_owner": owner,
                    "grant_types": ["authorization_code"] if code else ["client_credentials", "password"]}
            if code:
                body["redirect_uris"] = [self.CB]
            c = self.admin("POST", "/api/identity/oauth2/dcr/v1.1/register", body)
            if fresh:
                return c
            self.clients[key] = c
        return self.clients[key]

    def bearer(self, who):
        if who not in self.tokens:
            c = self.client("admin")
            r = self.http["management"].call(
                "POST", "/oauth2/token", urllib.parse.urlencode({"grant_type": "password", "username": who,
                                                                 "password": self.passwords[who],
                                                                 "scope": BEARER_SCOPES}),
                ctype=FORM, auth=client_basic(c["client_id"], c["client_secret"]))
            if r.status != 200:
                raise AssertionError("token for %s: %r" % (who, r))
            self.tokens[who] = "Bearer " + r.json()["access_token"]
        return self.tokens[who]

    def credentials(self, row, who):
        if row.auth is None or who == "none":
            return None
        if row.auth == "basic":
            return basic(who, self.passwords[who])
        if row.auth == "client":
            c = self.client(who)
            return client_basic(c["client_id"], c["client_secret"])
        if row.auth == "bearer":
            return self.bearer(who)
        raise AssertionError("row auth %r" % row.auth)


class MatrixBase:
    kind = "sqlite"

    @classmethod
    def setUpClass(cls):
        targets = dict(ghtest.db_targets())
        if cls.kind not in targets:
            raise unittest.SkipTest("no %s server" % cls.kind)
        cls.conf = ghtest.ConfTree(offset=ghtest.free_offset())
        cls.conf.edit("user-mgt.xml", r"(<UserStoreManager class=\"[^\"]+\">)",
                      r'\g<1>\n            <Property name="PasswordHashIterations">1000</Property>')
        if cls.kind != "sqlite":
            url = ghtest.fresh_database(cls.kind, targets[cls.kind], "gh_e2e_authz")
            ghtest.point_all_datasources(cls.conf, cls.kind, url)
        cls.srv = ghtest.Server(cls.conf, profile="all")
        cls.srv.wait_ready(9763)
        cls.srv.wait_ready(8280)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        out = cls.srv.output()
        cls.conf.cleanup()
        assert rc == 0, out
        assert "ERROR: AddressSanitizer" not in out and "LeakSanitizer" not in out, out

    def test_every_route_has_rows(self):
        routes = list_routes(self.conf)
        rows = load_rows()
        covered = {}
        for _, r in rows:
            covered.setdefault((r.listener, r.route), set()).add(r.method)
        missing = []
        for (listener, path), methods in sorted(routes.items()):
            have = covered.get((listener, path), set())
            if "*" in methods:
                if not have:
                    missing.append("%s %s (methods not declared: use gh_server_route_methods)" % (listener, path))
                continue
            missing += ["%s %s %s" % (listener, m, path) for m in sorted(methods - have)]
        self.assertEqual(missing, [], "routes without rows in tests/e2e/authz/*.py")
        stale = ["%s %s %s (%s.py)" % (r.listener, r.method, r.route, mod) for mod, r in rows
                 if (r.listener, r.route) not in routes or
                 ("*" not in routes[(r.listener, r.route)] and r.method not in routes[(r.listener, r.route)])]
        self.assertEqual(stale, [], "rows for routes or methods the server does not list")
        self.assertGreaterEqual(len(routes), 16)

    def test_matrix(self):
        fx = Fixture(self.srv, self.conf)
        wrong, asked = [], 0
        for mod, row in load_rows():
            for who in authz.CALLERS:
                path = row.path(fx, who) if callable(row.path) else row.path
                body = row.body(fx, who) if callable(row.body) else row.body
                ctype = row.ctype
                if body is not None and not isinstance(body, (str, bytes)):
                    body = json.dumps(body)
                    ctype = ctype or JSON
                r = fx.http[row.listener].call(row.method, path, body, auth=fx.credentials(row, who), ctype=ctype)
                asked += 1
                want = row.expect[who]
                if r.status not in (want if isinstance(want, tuple) else (want,)):
                    wrong.append("%s.py %s %s %s as %s: %d, expected %s: %s" % (
                        mod, row.listener, row.method, path, who, r.status, want, r.body[:160]))
        self.assertEqual(wrong, [], "\n".join(wrong))
        self.assertEqual(asked, len(load_rows()) * len(authz.CALLERS))


class MatrixSqlite(MatrixBase, unittest.TestCase):
    kind = "sqlite"


class MatrixPostgres(MatrixBase, unittest.TestCase):
    kind = "postgresql"


class MatrixMysql(MatrixBase, unittest.TestCase):
    kind = "mysql"


if __name__ == "__main__":
    ghtest.main()
