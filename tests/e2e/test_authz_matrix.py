"""The authorisation matrix (issue 8): every route `gatehouse --list-routes` prints, for every method it
declares, answered for no credentials, a user without the permission, another user, the owner and the
administrator, on SQLite, PostgreSQL and MariaDB. The rows live in tests/e2e/authz/*.py, one file per module;
authz/__init__.py says how a module adds its own. A listed route or method without a row fails, and so does a
row for a route the server does not list."""
import glob
import http.server
import importlib
import itertools
import json
import os
import sys
import threading
import time
import unittest
import urllib.parse

import ghtest
from sec_client import FORM, JSON, Http, basic, client_basic

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import authz  # noqa: E402

SCIM = "application/scim+json"
PASSWORD = "Matrix-pass-1"
PUB = "/api/am/publisher/v0.14"
STORE = "/api/am/store/v0.14"
# the API Manager roles the REST scopes are bound to (IDN_OAUTH2_SCOPE_BINDING): both `other` and `owner` hold them
MEMBER_ROLES = ("authz_member", "Internal/creator", "Internal/publisher", "Internal/subscriber")
MEMBER_PERMISSIONS = ("/permission/admin/login", "/permission/admin/manage/identity/applicationmgt",
                      "/permission/admin/manage/identity/usermgt", "/permission/admin/manage/identity/rolemgt",
                      "/permission/admin/manage/api/subscribe",
                      "/permission/admin/manage/api/create", "/permission/admin/manage/api/publish")
BEARER_SCOPES = ("openid internal_login internal_user_mgt_list internal_user_mgt_view internal_user_mgt_create "
                 "internal_user_mgt_update internal_user_mgt_delete internal_group_mgt_view internal_group_mgt_create "
                 "internal_group_mgt_update internal_group_mgt_delete apim:api_view apim:api_create apim:api_publish "
                 "apim:subscribe apim:tier_view apim:tier_manage apim:subscription_view apim:subscription_block apim:admin")
GW_VERBS = ("get", "put", "post", "delete", "patch", "head", "options")


class Echo(http.server.BaseHTTPRequestHandler):
    """The gateway's backend: 200 and the method for every request."""

    def answer(self):
        body = json.dumps({"method": self.command, "path": self.path}).encode()
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = answer

    def log_message(self, *args):
        pass


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
            roles = [a for r in MEMBER_ROLES for a in ("--role", r)] if who != "noperm" else []
            self.cli("user", "add", who, "--password", PASSWORD, *roles)
        self.passwords = {"noperm": PASSWORD, "other": PASSWORD, "owner": PASSWORD, "admin": "admin"}
        self.apis, self.apps, self.keyset, self.subs, self.app_tokens = {}, {}, {}, {}, {}
        self.last = None
        self.echo = None
        self.gw = None

    def close(self):
        if self.echo is not None:
            self.echo.shutdown()
            self.echo.server_close()

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

    def rest(self, who, method, path, body=None, ctype=None):
        """A portals REST call as `who` (HTTP Basic) that must succeed; its JSON."""
        r = self.http["management"].call(method, path, body, auth=basic(who, self.passwords[who]), ctype=ctype)
        if r.status >= 300:
            raise AssertionError("fixture %s %s as %s: %r" % (method, path, who, r))
        return r.json()

    def fresh_user_name(self):
        name = self.unique("fresh")
        self.admin("POST", "/scim2/Users", {"userName": name, "password": "Secret-123"}, SCIM)
        return name

    def api(self, who, fresh=False, published=True, url="http://127.0.0.1:9/backend", verbs=None, roles=None):
        """The id of an API created by `who` through the Publisher (its provider) and, unless told, published;
        RESTRICTED to the roles if given."""
        key = (who, published, roles)
        if fresh or key not in self.apis:
            name = self.unique("authz")
            body = {"name": name, "context": "/" + name, "version": "v1", "tiers": ["Unlimited"],
                    "visibility": "PUBLIC", "transport": ["http", "https"],
                    "endpointConfig": json.dumps({"production_endpoints": {"url": url}, "endpoint_type": "http"})}
            if roles:
                body.update(visibility="RESTRICTED", visibleRoles=list(roles))
            if verbs:
                body["apiDefinition"] = json.dumps({
                    "swagger": "2.0", "info": {"title": name, "version": "v1"},
                    "paths": {"/*": {v: {"x-auth-type": "Application & Application User",
                                         "x-throttling-tier": "Unlimited", "responses": {"200": {"description": "ok"}}}
                                     for v in verbs}}})
            api_id = self.rest(who, "POST", PUB + "/apis", body)["id"]
            if published:
                self.rest(who, "POST", PUB + "/apis/change-lifecycle?apiId=%s&action=Publish" % api_id)
            if fresh:
                return api_id
            self.apis[key] = api_id
        return self.apis[key]

    def application(self, who, fresh=False):
        """The id of a Store application `who` created (its owner)."""
        if fresh or who not in self.apps:
            app = self.rest(who, "POST", STORE + "/applications",
                            {"name": self.unique("app"), "throttlingTier": "Unlimited", "description": "authz"})
            if fresh:
                return app["applicationId"]
            self.apps[who] = app["applicationId"]
        return self.apps[who]

    def keys(self, who, fresh=False):
        """PRODUCTION keys (client_credentials, password) of `who`'s application (a fresh application if told)."""
        if fresh or who not in self.keyset:
            app = self.application(who, fresh=fresh)
            k = self.rest(who, "POST", STORE + "/applications/generate-keys?applicationId=" + app,
                          {"keyType": "PRODUCTION", "validityTime": "3600", "accessAllowDomains": ["ALL"],
                           "supportedGrantTypes": ["client_credentials", "password"]})
            k["applicationId"] = app
            if fresh:
                return k
            self.keyset[who] = k
        return self.keyset[who]

    def subscription(self, who, fresh=False, api=None):
        """The id of a subscription of `who`'s application (a fresh one if told) to owner's published API."""
        if fresh or who not in self.subs:
            s = self.rest(who, "POST", STORE + "/subscriptions",
                          {"applicationId": self.application(who, fresh=fresh), "tier": "Unlimited",
                           "apiIdentifier": api or self.api("owner")})
            if fresh:
                return s["subscriptionId"]
            self.subs[who] = s["subscriptionId"]
        return self.subs[who]

    def gateway_path(self):
        """/{context}/v1/echo of an API published by owner in front of a local echo backend, every verb on "/*",
        subscribed by owner's application (the one its keys belong to); waits until the gateway serves it."""
        if self.gw is None:
            self.echo = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
            threading.Thread(target=self.echo.serve_forever, daemon=True).start()
            api_id = self.api("owner", fresh=True, url="http://127.0.0.1:%d/" % self.echo.server_address[1],
                              verbs=GW_VERBS)
            self.gw_api = api_id
            self.rest("owner", "POST", STORE + "/subscriptions",
                      {"applicationId": self.keys("owner")["applicationId"], "apiIdentifier": api_id,
                       "tier": "Unlimited"})
            ctx = self.rest("owner", "GET", PUB + "/apis/" + api_id)["context"]
            self.gw = ctx.rstrip("/") + ("" if ctx.endswith("/v1") else "/v1") + "/echo"
            tok = self.app_token("owner")
            for _ in range(100):
                if self.http["gateway"].call("GET", self.gw, auth=tok).status == 200:
                    break
                time.sleep(0.1)
        return self.gw

    def blocked_token(self, who):
        """app_token(), but owner's is of a fresh application whose subscription to the gateway's API a publisher
        blocked after the token was used."""
        if who != "owner":
            return self.app_token(who)
        self.gateway_path()
        k = self.keys("owner", fresh=True)
        sub = self.rest("owner", "POST", STORE + "/subscriptions", {"applicationId": k["applicationId"],
                                                                     "apiIdentifier": self.gw_api, "tier": "Unlimited"})
        r = self.http["management"].call("POST", "/oauth2/token", "grant_type=client_credentials", ctype=FORM,
                                         auth=client_basic(k["consumerKey"], k["consumerSecret"]))
        if r.status != 200:
            raise AssertionError("blocked application token: %r" % r)
        tok = "Bearer " + r.json()["access_token"]
        # used before the block, so the gateway holds its verdict in the token cache
        r = self.http["gateway"].call("GET", self.gw, auth=tok)
        if r.status != 200:
            raise AssertionError("the token before the block: %r" % r)
        self.rest("admin", "POST", PUB + "/subscriptions/block-subscription?subscriptionId=%s&blockState=BLOCKED"
                  % sub["subscriptionId"])
        return tok

    def app_token(self, who):
        """An access token of `who`'s own application (client_credentials with its keys); noperm, who may not make
        applications, presents a token of the administrator's DCR client, which is no application's."""
        if who == "noperm":
            return self.bearer(who)
        if who not in self.app_tokens:
            k = self.keys(who)
            r = self.http["management"].call("POST", "/oauth2/token", "grant_type=client_credentials", ctype=FORM,
                                             auth=client_basic(k["consumerKey"], k["consumerSecret"]))
            if r.status != 200:
                raise AssertionError("application token for %s: %r" % (who, r))
            self.app_tokens[who] = "Bearer " + r.json()["access_token"]
        return self.app_tokens[who]

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

    def bearer(self, who, scope=BEARER_SCOPES):
        """An access token of `who` (password grant at the administrator's DCR client) asking for scope."""
        if (who, scope) not in self.tokens:
            c = self.client("admin")
            r = self.http["management"].call(
                "POST", "/oauth2/token", urllib.parse.urlencode({"grant_type": "password", "username": who,
                                                                 "password": self.passwords[who],
                                                                 "scope": scope}),
                ctype=FORM, auth=client_basic(c["client_id"], c["client_secret"]))
            if r.status != 200:
                raise AssertionError("token for %s: %r" % (who, r))
            self.tokens[(who, scope)] = "Bearer " + r.json()["access_token"]
        return self.tokens[(who, scope)]

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
        if row.auth == "app":
            return self.app_token(who)
        if callable(row.auth):
            return row.auth(self, who)
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
        self.addCleanup(fx.close)
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
