"""A stand-in for the portals' REST APIs and the gateway, for working on the consoles before those are merged.

FakeFront(server_origin, port) listens on http://localhost:port and passes everything to the real server, except
/api/am/* which an in-memory model of the v0.14 Publisher and Store APIs answers (the fields the consoles use,
as WSO2 2.6's yaml defines them). The console's redirect URI is rewritten between this origin and the server's,
because the consoles' OAuth clients know only the server's. Keys are real: generate-keys registers a client
through the server's DCR, so /oauth2/token issues real tokens for them.

FakeGateway(port) answers any path with CORS and an echo of the request, including a decoded "X-JWT-Assertion"
built from the bearer token's introspection (user and e-mail), as apps/gatehouse-echo will.

Used by console_shots.py and console_flows.py; not a test by itself."""
import base64
import http.server
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid

ADMIN = "Basic " + base64.b64encode(b"admin:admin").decode()


class Model:
    def __init__(self, server_origin):
        self.server = server_origin
        self.apis = {}
        self.apps = {}
        self.subs = {}
        self.history = {}
        self.policies = []
        self.lock = threading.Lock()

    def seed(self):
        for i, (name, count) in enumerate((("Gold", 5000), ("Silver", 2000), ("Bronze", 1000), ("Unlimited", 2147483647))):
            self.policies.append({"policyId": str(i + 1), "policyName": name, "displayName": name,
                                  "description": "Allows %s requests per minute" % (count if count < 10 ** 9 else "unlimited"),
                                  "defaultLimit": {"type": "RequestCountLimit", "requestCount": count, "unitTime": 1,
                                                   "timeUnit": "min"}})
        for name, ctx, ver, status in (("contextName", "/contextName", "v1", "PUBLISHED"),
                                       ("PizzaShackAPI", "/pizzashack", "1.0.0", "PUBLISHED"),
                                       ("Orders", "/orders", "2.1", "CREATED")):
            i = str(uuid.uuid4())
            self.apis[i] = {"id": i, "name": name, "context": ctx, "version": ver, "provider": "admin",
                            "status": status, "tiers": ["Unlimited", "Gold"], "visibility": "PUBLIC",
                            "transport": ["http", "https"], "endpointConfig": "{}", "apiDefinition": json.dumps({
                                "swagger": "2.0", "paths": {"/*": {"get": {"x-auth-type": "Application & Application User",
                                                                         "x-throttling-tier": "Unlimited"}}}})}

    def error(self, status, desc, field=None):
        return status, {"code": status, "message": "error", "description": desc, "moreInfo": "",
                        "error": [{"code": field, "message": field + ": " + desc}] if field else []}

    def handle(self, method, path, query, body, user):
        with self.lock:
            return self._handle(method, path, query, body, user)

    def _handle(self, method, path, q, body, user):
        lst = lambda items: (200, {"count": len(items), "list": items})  # noqa: E731
        p = path.split("/")[3:]  # after /api/am
        portal, rest = p[0], p[2:]
        if rest[:1] == ["tiers"]:
            return lst([{"name": n} for n in ("Unlimited", "Gold", "Silver", "Bronze")])
        if portal == "publisher":
            if rest == ["apis"] and method == "GET":
                return lst(list(self.apis.values()))
            if rest == ["apis"] and method == "POST":
                for f in ("name", "context", "version"):
                    if not body.get(f):
                        return self.error(400, "must not be empty", f)
                if any(a["context"] == body["context"] and a["version"] == body["version"] for a in self.apis.values()):
                    return self.error(409, "an API with this context and version exists", "context")
                i = str(uuid.uuid4())
                self.apis[i] = dict(body, id=i, status="CREATED", provider=user)
                return 201, self.apis[i]
            if rest == ["apis", "change-lifecycle"]:
                a = self.apis[q["apiId"]]
                to = {"Publish": "PUBLISHED", "Block": "BLOCKED", "Deprecate": "DEPRECATED", "Retire": "RETIRED",
                      "Re-Publish": "PUBLISHED", "Demote to Created": "CREATED",
                      "Deploy as a Prototype": "PROTOTYPED"}[q["action"]]
                self.history.setdefault(a["id"], []).append({"previousState": a["status"], "postState": to,
                                                            "user": user, "updatedTime": "now"})
                a["status"] = to
                return 200, {}
            if len(rest) == 3 and rest[2] == "lifecycle-history":
                return lst(self.history.get(rest[1], []))
            if len(rest) == 2 and rest[0] == "apis":
                if method == "PUT":
                    self.apis[rest[1]].update(body)
                return 200, self.apis[rest[1]]
            if rest == ["subscriptions"]:
                return lst([s for s in self.subs.values() if s["apiIdentifier"] == q.get("apiId")])
            if rest[:1] == ["subscriptions"]:
                s = self.subs[q["subscriptionId"]]
                s["status"] = q.get("blockState", "UNBLOCKED")
                return 200, s
        if portal == "store":
            if rest == ["apis"]:
                return lst([a for a in self.apis.values() if a["status"] == "PUBLISHED"])
            if len(rest) == 2 and rest[0] == "apis":
                a = dict(self.apis[rest[1]])
                a["context"] = a["context"] + "/" + a["version"]
                return 200, a
            if rest == ["applications"] and method == "GET":
                return lst([a for a in self.apps.values() if a["subscriber"] == user])
            if rest == ["applications"] and method == "POST":
                if not body.get("name"):
                    return self.error(400, "must not be empty", "name")
                i = str(uuid.uuid4())
                self.apps[i] = dict(body, applicationId=i, subscriber=user, status="APPROVED", keys=[])
                return 201, self.apps[i]
            if rest == ["applications", "generate-keys"]:
                app = self.apps[q["applicationId"]]
                r = urllib.request.Request(self.server + "/api/identity/oauth2/dcr/v1.1/register", method="POST",
                                           data=json.dumps({"client_name": app["name"] + "_" + body["keyType"],
                                                            "grant_types": ["client_credentials"],
                                                            "ext_param_owner": user}).encode(),
                                           headers={"Content-Type": "application/json", "Authorization": ADMIN})
                reg = json.loads(urllib.request.urlopen(r, timeout=30).read())
                k = {"consumerKey": reg["client_id"], "consumerSecret": reg["client_secret"], "keyType": body["keyType"],
                     "keyState": "APPROVED", "supportedGrantTypes": ["client_credentials"]}
                app["keys"].append({"consumerKey": k["consumerKey"], "keyType": k["keyType"]})
                return 200, k
            if rest == ["applications", "regenerate-consumersecret"]:
                return 200, {"consumerKey": body["consumerKey"], "consumerSecret": "regenerated-" + uuid.uuid4().hex}
            if len(rest) == 2 and rest[0] == "applications":
                if method == "DELETE":
                    self.apps.pop(rest[1], None)
                    return 200, {}
                if method == "PUT":
                    self.apps[rest[1]].update(body)
                return 200, self.apps[rest[1]]
            if rest == ["subscriptions"] and method == "GET":
                return lst([s for s in self.subs.values() if s["applicationId"] == q.get("applicationId")])
            if rest == ["subscriptions"] and method == "POST":
                i = str(uuid.uuid4())
                self.subs[i] = dict(body, subscriptionId=i, status="UNBLOCKED")
                return 201, self.subs[i]
            if len(rest) == 2 and rest[0] == "subscriptions" and method == "DELETE":
                self.subs.pop(rest[1], None)
                return 200, {}
        if portal == "admin":
            return lst(self.policies if rest == ["throttling", "policies", "subscription"] else [])
        return 404, {"code": 404, "message": "Not Found", "description": "not in the fake", "moreInfo": "", "error": []}


def _introspect(server, token):
    r = urllib.request.Request(server + "/oauth2/introspect", data=urllib.parse.urlencode({"token": token}).encode(),
                               headers={"Authorization": ADMIN}, method="POST")
    return json.loads(urllib.request.urlopen(r, timeout=30).read())


def _scim_email(server, user):
    url = server + "/scim2/Users?" + urllib.parse.urlencode({"filter": 'userName eq "%s"' % user})
    r = json.loads(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": ADMIN}), timeout=30).read())
    res = r.get("Resources") or [{}]
    emails = res[0].get("emails") or [{}]
    return emails[0].get("value") if isinstance(emails[0], dict) else emails[0]


class FakeFront:
    def __init__(self, server_origin, port, seed=False):
        self.model = Model(server_origin)
        if seed:
            self.model.seed()
        mine = "http://localhost:%d" % port
        model = self.model

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def swap(self, s, a, b):
                return s.replace(a, b).replace(urllib.parse.quote(a, safe=""), urllib.parse.quote(b, safe=""))

            def answer(self, status, doc):
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def relay(self):
                path, _, query = self.path.partition("?")
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
                if path.startswith("/api/am/"):
                    auth = self.headers.get("Authorization", "")
                    user = "anonymous"
                    if auth.startswith("Bearer "):
                        info = _introspect(server_origin, auth[7:])
                        if not info.get("active"):
                            return self.answer(401, {"code": 401, "message": "Unauthorized", "description": "token"})
                        user = info.get("username", "").split("@")[0]
                    q = dict(urllib.parse.parse_qsl(query))
                    try:
                        status, doc = model.handle(self.command, path, q, json.loads(data) if data else {}, user)
                    except KeyError:
                        status, doc = 404, {"code": 404, "message": "Not Found", "description": "no such id"}
                    return self.answer(status, doc)
                if data:
                    data = self.swap(data.decode(), mine, server_origin).encode()
                req = urllib.request.Request(server_origin + self.swap(self.path, mine, server_origin), data=data,
                                             method=self.command)
                for k in ("Content-Type", "Cookie", "If-None-Match", "Authorization", "Accept"):
                    if self.headers.get(k):
                        req.add_header(k, self.headers[k])

                class NoRedirect(urllib.request.HTTPRedirectHandler):
                    def redirect_request(self, *a, **k):
                        return None
                try:
                    r = urllib.request.build_opener(NoRedirect).open(req, timeout=30)
                    status, headers, body = r.status, r.headers, r.read()
                except urllib.error.HTTPError as e:
                    status, headers, body = e.code, e.headers, e.read()
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        continue
                    self.send_header(k, v.replace(server_origin, mine) if k.lower() == "location" else v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = relay

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def shutdown(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeGateway:
    def __init__(self, server_origin, port):
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def cors(self):
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "*"))
                self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
                self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")

            def do_OPTIONS(self):
                self.send_response(204)
                self.cors()
                self.end_headers()

            def echo(self):
                auth = self.headers.get("Authorization", "")
                info = _introspect(server_origin, auth[7:]) if auth.startswith("Bearer ") else {}
                if not info.get("active"):
                    self.send_response(401)
                    self.cors()
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                user = info.get("username", "").split("@")[0]
                doc = {"method": self.command, "path": self.path,
                       "jwt": {"iss": "wso2.org/products/am", "http://wso2.org/claims/enduser": user,
                               "http://wso2.org/claims/emailaddress": _scim_email(server_origin, user)}}
                body = json.dumps(doc).encode()
                self.send_response(200)
                self.cors()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = echo

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def shutdown(self):
        self.httpd.shutdown()
        self.httpd.server_close()
