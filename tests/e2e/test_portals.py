"""Publisher, Store and Admin v0.14 REST APIs: the WSO2 tutorial over REST (a DCR client, a password-grant token
with the publisher scopes, an API from Swagger published, a SCIM subscriber who makes an application, subscribes,
generates keys and gets a token with them), refusals with the right status, body and nothing written, and
concurrent subscriptions leaving one row. On SQLite, PostgreSQL and MariaDB."""
import base64
import concurrent.futures
import json
import os
import time
import unittest

import requests

import ghtest
import km_flows
from km_flows import ADMIN

PUB = "/api/am/publisher/v0.14"
STORE = "/api/am/store/v0.14"
ADMIN_API = "/api/am/admin/v0.14"
PUB_SCOPES = "apim:api_view apim:api_create apim:api_publish apim:tier_view apim:tier_manage " \
             "apim:subscription_view apim:subscription_block apim:subscribe"


def swagger(paths=None, scopes=None, key="order"):
    doc = {"swagger": "2.0", "info": {"title": "contextName", "version": "v1"},
           "paths": paths or {
               "/menu": {"get": {"x-auth-type": "Application & Application User", "x-throttling-tier": "Unlimited",
                                 "responses": {"200": {"description": "the menu"}}}},
               "/order/{id}": {"post": {"x-auth-type": "Application User", "x-throttling-tier": "10KPerMin",
                                        "x-scope": key, "responses": {"200": {"description": "ok"}}}}}}
    doc["x-wso2-security"] = {"apim": {"x-wso2-scopes": scopes if scopes is not None else [
        {"name": "order", "description": "place orders", "key": key, "roles": "Internal/subscriber"}]}}
    return doc


def endpoint(url="http://127.0.0.1:9/backend"):
    return json.dumps({"production_endpoints": {"url": url, "config": None}, "endpoint_type": "http"})


class PortalsTest(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        self.km = km_flows.KmServer(kind, base_url, dbname="gh_portals_e2e")
        self.base = self.km.base
        try:
            with self.subTest("tutorial"):
                self.tutorial()
            with self.subTest("refusals"):
                self.refusals()
            with self.subTest("visibility_and_roles"):
                self.visibility_and_roles()
            with self.subTest("swagger_formats"):
                self.swagger_formats()
            with self.subTest("concurrent_subscriptions"):
                self.concurrent_subscriptions()
            with self.subTest("admin_policies"):
                self.admin_policies()
            with self.subTest("admin_blacklist"):
                self.admin_blacklist()
            with self.subTest("delete_application_revokes"):
                self.delete_application_revokes()
        finally:
            self.km.stop()

    # --- helpers -----------------------------------------------------------------------------------------------

    def call(self, method, path, token=None, auth=None, body=None, headers=None, data=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if body is not None:
            data = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        r = requests.request(method, self.base + path, data=data, headers=h, auth=auth, timeout=60)
        return r

    def count(self, sql):
        return int(self.km.sql(sql)[0][0])

    def rest_client(self):
        r = requests.post(self.base + "/client-registration/v0.14/register", auth=ADMIN, timeout=30,
                          json={"callbackUrl": "www.google.lk", "clientName": "rest_api_publisher", "owner": "admin",
                                "grantType": "password refresh_token", "saasApp": True})
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()["clientId"], r.json()["clientSecret"]

    def password_token(self, user, password, scope=PUB_SCOPES, client=None):
        cid, sec = client or self.client
        r = requests.post(self.base + "/oauth2/token", auth=(cid, sec), timeout=30,
                          data={"grant_type": "password", "username": user, "password": password, "scope": scope})
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def scim_user(self, name, role):
        r = requests.post(self.base + "/scim2/Users", auth=ADMIN, timeout=30,
                          headers={"Content-Type": "application/scim+json"},
                          json={"userName": name, "password": name + "-Pass-123",
                                "emails": [{"value": name + "@example.com"}]})
        self.assertEqual(r.status_code, 201, r.text)
        gid = base64.urlsafe_b64encode(role.encode()).decode().rstrip("=")
        r = requests.patch(self.base + "/scim2/Groups/" + gid, auth=ADMIN, timeout=30,
                           headers={"Content-Type": "application/scim+json"},
                           json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                 "Operations": [{"op": "add", "path": "members",
                                                 "value": [{"value": r.json()["id"]}]}]})
        self.assertEqual(r.status_code, 200, r.text)
        return name, name + "-Pass-123"

    def create_api(self, token, name, context, version="v1", **extra):
        key = "order" if name == "PizzaShack" else name.lower() + "_order"
        body = {"name": name, "context": context, "version": version, "apiDefinition": json.dumps(swagger(key=key)),
                "endpointConfig": endpoint(), "tiers": ["Unlimited", "Gold"], "visibility": "PUBLIC",
                "transport": ["http", "https"]}
        body.update(extra)
        return self.call("POST", PUB + "/apis", token, body=body)

    def assert_error(self, r, status, field=None):
        self.assertEqual(r.status_code, status, r.text)
        e = r.json()
        for k in ("code", "message", "description", "moreInfo", "error"):
            self.assertIn(k, e, r.text)
        if field is not None:
            self.assertIn(field, [x["code"] for x in e["error"]], r.text)
        return e

    # --- the tutorial ------------------------------------------------------------------------------------------

    def tutorial(self):
        self.client = self.rest_client()
        tok = self.password_token("admin", "admin")
        self.assertTrue({"apim:api_create", "apim:api_publish", "apim:api_view"} <= set(tok["scope"].split()))
        self.pub = tok["access_token"]
        r = self.create_api(self.pub, "PizzaShack", "/contextName", tags=["food"])
        self.assertEqual(r.status_code, 201, r.text)
        api = r.json()
        self.assertTrue(r.headers["Location"].endswith(PUB + "/apis/" + api["id"]))
        self.assertEqual(r.headers["ETag"], '"1"')
        self.assertEqual((api["context"], api["version"], api["provider"], api["status"]),
                         ("/contextName", "v1", "admin", "CREATED"))
        self.api_id = api["id"]
        self.assertEqual(self.km.sql("SELECT CONTEXT, CONTEXT_TEMPLATE FROM AM_API WHERE API_NAME = 'PizzaShack'"),
                         [["/contextName/v1", "/contextName/{version}"]])
        rows = self.km.sql("SELECT HTTP_METHOD, AUTH_SCHEME, URL_PATTERN, THROTTLING_TIER FROM AM_API_URL_MAPPING m "
                           "JOIN AM_API a ON a.API_ID = m.API_ID WHERE a.API_NAME = 'PizzaShack' ORDER BY HTTP_METHOD")
        self.assertEqual(rows, [["GET", "Any", "/menu", "Unlimited"], ["POST", "Application_User", "/order/{id}",
                                                                       "10KPerMin"]])
        self.assertEqual(self.km.sql("SELECT RESOURCE_PATH FROM IDN_OAUTH2_RESOURCE_SCOPE"),
                         [["/contextName/v1/order/{id}:POST"]])
        self.assertEqual(self.km.sql("SELECT PRODUCTION_URL, STATUS FROM GH_API"),
                         [["http://127.0.0.1:9/backend", "CREATED"]])
        # the swagger comes back with WSO2's extensions
        r = self.call("GET", PUB + "/apis/%s/swagger" % self.api_id, self.pub)
        self.assertEqual(r.status_code, 200, r.text)
        doc = r.json()
        self.assertEqual(doc["paths"]["/order/{id}"]["post"]["x-scope"], "order")
        self.assertEqual(doc["paths"]["/order/{id}"]["post"]["x-auth-type"], "Application User")
        self.assertEqual(doc["x-wso2-security"]["apim"]["x-wso2-scopes"][0]["roles"], "Internal/subscriber")
        # not in the Store before it is published
        self.assertEqual(self.call("GET", STORE + "/apis").json()["count"], 0)
        r = self.call("POST", PUB + "/apis/change-lifecycle?apiId=%s&action=Publish" % self.api_id, self.pub)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(self.km.sql("SELECT COALESCE(PREVIOUS_STATE, '-'), NEW_STATE FROM AM_API_LC_EVENT ORDER BY "
                                     "EVENT_ID"), [["-", "CREATED"], ["CREATED", "PUBLISHED"]])
        # anonymous Store listing, detail and swagger
        r = self.call("GET", STORE + "/apis")
        self.assertEqual((r.status_code, r.json()["count"]), (200, 1), r.text)
        self.assertEqual(r.json()["list"][0]["context"], "/contextName/v1")
        r = self.call("GET", STORE + "/apis/" + self.api_id)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertNotIn("endpointConfig", r.json())
        self.assertIn("/contextName/v1", r.json()["endpointURLs"][0]["environmentURLs"]["https"])
        self.assertEqual(self.call("GET", STORE + "/apis/%s/swagger" % self.api_id).json()["info"]["version"], "v1")
        # the subscriber, created through SCIM
        self.sub_user = self.scim_user("subscriber1", "Internal/subscriber")
        tok = self.password_token(*self.sub_user)
        self.assertEqual(tok["scope"], "apim:subscribe")
        self.sub = tok["access_token"]
        r = self.call("POST", STORE + "/applications", self.sub,
                      body={"name": "userJwt", "throttlingTier": "Unlimited", "description": "tutorial",
                            "tokenType": "OAUTH"})
        self.assertEqual(r.status_code, 201, r.text)
        self.app = r.json()
        self.assertEqual(self.app["subscriber"], "subscriber1")
        self.assertTrue(r.headers["Location"].endswith(STORE + "/applications/" + self.app["applicationId"]))
        r = self.call("POST", STORE + "/subscriptions", self.sub,
                      body={"applicationId": self.app["applicationId"], "apiIdentifier": self.api_id,
                            "tier": "Unlimited"})
        self.assertEqual(r.status_code, 201, r.text)
        self.assertEqual(r.json()["status"], "UNBLOCKED")
        self.sub_id = r.json()["subscriptionId"]
        r = self.call("POST", STORE + "/applications/generate-keys?applicationId=" + self.app["applicationId"],
                      self.sub, body={"keyType": "PRODUCTION", "validityTime": "3600", "accessAllowDomains": ["ALL"],
                                      "supportedGrantTypes": ["password", "client_credentials", "refresh_token"]})
        self.assertEqual(r.status_code, 200, r.text)
        keys = r.json()
        self.assertEqual(keys["keyType"], "PRODUCTION")
        self.assertTrue(keys["consumerKey"] and keys["consumerSecret"])
        self.assertTrue(keys["token"]["accessToken"])
        self.assertEqual(keys["token"]["validityTime"], 3600)
        self.keys = keys
        self.assertEqual(self.km.sql("SELECT KEY_TYPE FROM AM_APPLICATION_KEY_MAPPING WHERE CONSUMER_KEY = '%s'"
                                     % keys["consumerKey"]), [["PRODUCTION"]])
        # the secret is stored hashed
        self.assertEqual(self.count("SELECT COUNT(*) FROM IDN_OAUTH_CONSUMER_APPS WHERE CONSUMER_SECRET = '%s'"
                                    % keys["consumerSecret"]), 0)
        # SANDBOX keys: an unknown grant type is refused with nothing written; without client_credentials no token
        gen = STORE + "/applications/generate-keys?applicationId=" + self.app["applicationId"]
        self.assert_error(self.call("POST", gen, self.sub, body={"keyType": "SANDBOX", "validityTime": "3600",
                                                                 "supportedGrantTypes": ["bogus"]}),
                          400, "supportedGrantTypes")
        self.assert_error(self.call("POST", gen, self.sub, body={"keyType": "TEST", "validityTime": "3600"}), 400,
                          "keyType")
        self.assertEqual(self.count("SELECT COUNT(*) FROM AM_APPLICATION_KEY_MAPPING"), 1)
        r = self.call("POST", gen, self.sub, body={"keyType": "SANDBOX", "validityTime": "3600",
                                                   "supportedGrantTypes": ["password"]})
        self.assertEqual((r.status_code, r.json()["token"], r.json()["supportedGrantTypes"]), (200, None, ["password"]),
                         r.text)
        # the subscriber gets a token with the application's keys
        tok = self.password_token(*self.sub_user, scope="default", client=(keys["consumerKey"], keys["consumerSecret"]))
        self.assertTrue(tok["access_token"])
        # keys read back (no secret), second generation refused, secret regenerated
        r = self.call("GET", STORE + "/applications/%s/keys/PRODUCTION" % self.app["applicationId"], self.sub)
        self.assertEqual((r.status_code, r.json()["consumerKey"]), (200, keys["consumerKey"]), r.text)
        self.assertIsNone(r.json()["consumerSecret"])
        r = self.call("POST", STORE + "/applications/generate-keys?applicationId=" + self.app["applicationId"],
                      self.sub, body={"keyType": "PRODUCTION", "validityTime": "3600", "accessAllowDomains": ["ALL"]})
        self.assert_error(r, 409, "keyType")
        r = self.call("POST", STORE + "/applications/regenerate-consumersecret", self.sub,
                      body={"consumerKey": keys["consumerKey"]})
        self.assertEqual(r.status_code, 200, r.text)
        new_secret = r.json()["consumerSecret"]
        self.assertNotEqual(new_secret, keys["consumerSecret"])
        r = requests.post(self.base + "/oauth2/token", auth=(keys["consumerKey"], keys["consumerSecret"]),
                          data={"grant_type": "client_credentials"}, timeout=30)
        self.assertEqual(r.status_code, 401, r.text)
        self.password_token(*self.sub_user, scope="default", client=(keys["consumerKey"], new_secret))
        r = self.call("PUT", STORE + "/applications/%s/keys/PRODUCTION" % self.app["applicationId"], self.sub,
                      body={"supportedGrantTypes": ["client_credentials"], "callbackUrl": ""})
        self.assertEqual((r.status_code, r.json()["supportedGrantTypes"]), (200, ["client_credentials"]), r.text)
        # the Publisher sees and blocks the subscription
        r = self.call("GET", PUB + "/subscriptions?apiId=" + self.api_id, self.pub)
        self.assertEqual((r.status_code, r.json()["count"]), (200, 1), r.text)
        r = self.call("POST", PUB + "/subscriptions/block-subscription?subscriptionId=%s&blockState=BLOCKED"
                      % self.sub_id, self.pub)
        self.assertEqual((r.status_code, r.json()["status"]), (200, "BLOCKED"), r.text)
        r = self.call("POST", PUB + "/subscriptions/unblock-subscription?subscriptionId=" + self.sub_id, self.pub)
        self.assertEqual((r.status_code, r.json()["status"]), (200, "UNBLOCKED"), r.text)
        # a browser console on another origin: preflight and readable answers (no cookies: the token authorises)
        r = requests.options(self.base + STORE + "/applications", timeout=30, headers={
            "Origin": "http://console.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        self.assertEqual(r.status_code, 204)
        self.assertIn("Authorization", r.headers["Access-Control-Allow-Headers"])
        r = self.call("GET", STORE + "/applications", self.sub, headers={"Origin": "http://console.example"})
        self.assertEqual((r.status_code, r.headers["Access-Control-Allow-Origin"]), (200, "*"))
        # Basic works for scripts, with the scopes of the user's roles
        r = self.call("GET", STORE + "/applications", auth=self.sub_user)
        self.assertEqual([a["name"] for a in r.json()["list"]], ["userJwt"])
        self.assertEqual(self.call("GET", PUB + "/apis", auth=self.sub_user).status_code, 403)

    # --- refusals: right status, body naming the problem, nothing written ---------------------------------------

    def refusals(self):
        n_api = self.count("SELECT COUNT(*) FROM AM_API")
        n_sub = self.count("SELECT COUNT(*) FROM AM_SUBSCRIPTION")
        n_map = self.count("SELECT COUNT(*) FROM AM_API_URL_MAPPING")
        self.assert_error(self.create_api(self.pub, "Other", "/contextName"), 409, "context")
        self.assert_error(self.create_api(self.pub, "Other", "contextName2"), 400, "context")
        self.assert_error(self.create_api(self.pub, "Other", "/ctx3", tiers=["NoSuchTier"]), 400, "tiers")
        self.assert_error(self.create_api(self.pub, "Other", "/ctx3", apiDefinition="{not json"), 400,
                          "apiDefinition")
        self.assert_error(self.create_api(self.pub, "Other", "/ctx3", apiDefinition='{"info":{}}'), 400,
                          "apiDefinition")
        self.assert_error(self.create_api(self.pub, "Other", "/ctx3", apiDefinition=json.dumps(swagger(paths={
            "/x": {"get": {"x-auth-type": "Bogus"}}}))), 400, "apiDefinition")
        self.assert_error(self.call("POST", PUB + "/apis", self.pub, data="{\"name\": ", headers={
            "Content-Type": "application/json"}), 400, "body")
        self.assert_error(self.call("POST", PUB + "/apis", self.pub, data="name=x", headers={
            "Content-Type": "text/plain"}), 415)
        # 10 MB: h2o refuses bodies over its 8 MiB cap with 413 and closes the connection, which a client still
        # sending may see as a reset; either way nothing is written and the server stays up
        try:
            r = self.call("POST", PUB + "/apis", self.pub, data="x" * (10 * 1024 * 1024),
                          headers={"Content-Type": "application/json"})
            self.assertEqual(r.status_code, 413)
        except requests.exceptions.ConnectionError:
            pass
        self.assertEqual(self.call("GET", PUB + "/apis", self.pub).status_code, 200)
        e = self.assert_error(self.call("POST", PUB + "/apis", self.pub, data="x" * (6 * 1024 * 1024),
                                        headers={"Content-Type": "application/json"}), 413, "body")
        # a token without the scope, and no token
        self.assert_error(self.create_api(self.sub, "Other", "/ctx4"), 403)
        self.assertEqual(self.create_api(None, "Other", "/ctx4").status_code, 401)
        self.assertEqual(self.call("GET", STORE + "/applications", "not-a-token").status_code, 401)
        # lifecycle: an action not allowed in PUBLISHED
        e = self.assert_error(self.call("POST", PUB + "/apis/change-lifecycle?apiId=%s&action=Retire" % self.api_id,
                                        self.pub), 400, "action")
        self.assertIn("PUBLISHED", e["description"])
        # an unpublished API cannot be subscribed to
        r = self.create_api(self.pub, "Draft", "/draft")
        self.assertEqual(r.status_code, 201, r.text)
        draft = r.json()["id"]
        n_api += 1
        n_map += 2
        self.assert_error(self.call("POST", STORE + "/subscriptions", self.sub, body={
            "applicationId": self.app["applicationId"], "apiIdentifier": draft, "tier": "Unlimited"}), 400,
            "apiIdentifier")
        self.assert_error(self.call("POST", STORE + "/subscriptions", self.sub, body={
            "applicationId": self.app["applicationId"], "apiIdentifier": self.api_id, "tier": "Bronze"}), 400, "tier")
        # another user's application
        eve = self.scim_user("eve", "Internal/subscriber")
        eve_tok = self.password_token(*eve)["access_token"]
        self.assert_error(self.call("GET", STORE + "/applications/" + self.app["applicationId"], eve_tok), 403,
                          "applicationId")
        self.assert_error(self.call("POST", STORE + "/subscriptions", eve_tok, body={
            "applicationId": self.app["applicationId"], "apiIdentifier": self.api_id, "tier": "Unlimited"}), 403,
            "applicationId")
        self.assert_error(self.call("DELETE", STORE + "/subscriptions/" + self.sub_id, eve_tok), 403)
        self.assert_error(self.call("POST", STORE + "/applications/generate-keys?applicationId=" +
                                    self.app["applicationId"], eve_tok,
                                    body={"keyType": "SANDBOX", "validityTime": "3600"}), 403)
        self.assertEqual(self.call("GET", STORE + "/applications", eve_tok).json()["count"], 0)
        self.assert_error(self.call("POST", STORE + "/applications", self.sub,
                                    body={"name": "userJwt", "throttlingTier": "Unlimited"}), 409, "name")
        self.assert_error(self.call("POST", STORE + "/applications", self.sub,
                                    body={"name": "x", "throttlingTier": "Gold"}), 400, "throttlingTier")
        # If-Match
        r = self.call("PUT", PUB + "/apis/" + draft, self.pub, headers={"If-Match": '"99"'},
                      body={"name": "Draft", "context": "/draft", "version": "v1", "description": "changed"})
        self.assert_error(r, 412)
        r = self.call("PUT", PUB + "/apis/" + draft, self.pub, headers={"If-Match": '"1"'},
                      body={"name": "Draft", "context": "/draft", "version": "v1", "description": "changed"})
        self.assertEqual((r.status_code, r.json()["description"], r.headers["ETag"]), (200, "changed", '"2"'), r.text)
        self.assertEqual(self.count("SELECT COUNT(*) FROM AM_API"), n_api)
        self.assertEqual(self.count("SELECT COUNT(*) FROM AM_SUBSCRIPTION"), n_sub)
        self.assertEqual(self.count("SELECT COUNT(*) FROM AM_API_URL_MAPPING"), n_map)
        self.assertEqual(self.count("SELECT COUNT(*) FROM AM_APPLICATION"), 1)
        # search and paging
        r = self.call("GET", PUB + "/apis?query=name:draft&limit=1", self.pub)
        self.assertEqual((r.json()["count"], r.json()["list"][0]["name"]), (1, "Draft"), r.text)
        r = self.call("GET", PUB + "/apis?limit=1&offset=1", self.pub)
        self.assertEqual((r.json()["count"], r.json()["pagination"]["total"]), (1, 2), r.text)
        self.assert_error(self.call("GET", PUB + "/apis?query=bogus:x", self.pub), 400, "query")
        self.assert_error(self.call("GET", PUB + "/apis?limit=0", self.pub), 400, "limit")
        # delete the draft: its rows go
        self.assertEqual(self.call("DELETE", PUB + "/apis/" + draft, self.pub).status_code, 200)
        self.assertEqual(self.count("SELECT COUNT(*) FROM AM_API"), n_api - 1)

    def visibility_and_roles(self):
        # a creator cannot publish
        creator = self.scim_user("creator1", "Internal/creator")
        tok = self.password_token(*creator)
        self.assertNotIn("apim:api_publish", tok["scope"].split())
        r = self.create_api(tok["access_token"], "Hidden", "/hidden", visibility="RESTRICTED",
                            visibleRoles=["Internal/publisher"], tags=["secret"])
        self.assertEqual(r.status_code, 201, r.text)
        hidden = r.json()["id"]
        self.assert_error(self.call("POST", PUB + "/apis/change-lifecycle?apiId=%s&action=Publish" % hidden,
                                    tok["access_token"]), 403)
        # the API's own scope is bound to its roles: the key manager grants "order" to a subscriber only
        self.assertEqual(self.password_token(*self.sub_user, scope="order")["scope"], "order")
        self.assertEqual(self.password_token(*creator, scope="order")["scope"], "default")
        # a provider sees the applications subscribed to its APIs, not others
        r = self.call("GET", PUB + "/applications/" + self.app["applicationId"], self.pub)
        self.assertEqual((r.status_code, r.json()["name"]), (200, "userJwt"), r.text)
        self.assert_error(self.call("GET", PUB + "/applications/" + self.app["applicationId"], tok["access_token"]),
                          403, "applicationId")
        self.assertEqual(self.call("POST", PUB + "/apis/change-lifecycle?apiId=%s&action=Publish" % hidden,
                                   self.pub).status_code, 200)
        # restricted: hidden from the subscriber and from anonymous callers, shown to a role holder
        names = lambda r: sorted(a["name"] for a in r.json()["list"])
        self.assertEqual(names(self.call("GET", STORE + "/apis", self.sub)), ["PizzaShack"])
        self.assertEqual(names(self.call("GET", STORE + "/apis")), ["PizzaShack"])
        self.assertEqual(self.call("GET", STORE + "/apis/" + hidden, self.sub).status_code, 404)
        self.assert_error(self.call("POST", STORE + "/subscriptions", self.sub, body={
            "applicationId": self.app["applicationId"], "apiIdentifier": hidden, "tier": "Unlimited"}), 404)
        pubu = self.scim_user("publisher1", "Internal/publisher")
        ptok = self.password_token(*pubu)["access_token"]
        self.assertEqual(names(self.call("GET", STORE + "/apis", ptok)), ["Hidden", "PizzaShack"])
        # tags of visible APIs only
        tags = lambda r: {t["name"]: t["weight"] for t in r.json()["list"]}
        self.assertEqual(tags(self.call("GET", STORE + "/tags")), {"food": 1})
        self.assertEqual(tags(self.call("GET", STORE + "/tags", ptok)), {"food": 1, "secret": 1})
        self.assertEqual(names(self.call("GET", STORE + "/apis", auth=ADMIN)), ["Hidden", "PizzaShack"])
        # Block, then Re-Publish; history kept
        for action, state in (("Block", "BLOCKED"), ("Re-Publish", "PUBLISHED"), ("Deprecate", "DEPRECATED"),
                              ("Retire", "RETIRED")):
            r = self.call("POST", PUB + "/apis/change-lifecycle?apiId=%s&action=%s" % (hidden, action), self.pub)
            self.assertEqual((r.status_code, r.json()["lifecycleState"]), (200, state), r.text)
        r = self.call("GET", PUB + "/apis/%s/lifecycle-history" % hidden, self.pub)
        self.assertEqual([x["postState"] for x in r.json()["list"]],
                         ["CREATED", "PUBLISHED", "BLOCKED", "PUBLISHED", "DEPRECATED", "RETIRED"])

    def swagger_formats(self):
        r = self.create_api(self.pub, "Yaml", "/yaml")
        self.assertEqual(r.status_code, 201, r.text)
        yid = r.json()["id"]
        yaml_doc = ("openapi: 3.0.1\ninfo:\n  title: y\n  version: v1\npaths:\n  /items:\n    get:\n"
                    "      x-auth-type: None\n      x-throttling-tier: Unlimited\n      responses:\n"
                    "        '200':\n          description: ok\n")
        files = {"apiDefinition": (None, yaml_doc)}
        r = requests.put(self.base + PUB + "/apis/%s/swagger" % yid, files=files,
                         headers={"Authorization": "Bearer " + self.pub}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(list(r.json()["paths"]), ["/items"])
        self.assertEqual(r.json()["paths"]["/items"]["get"]["x-auth-type"], "None")
        self.assertEqual(self.km.sql("SELECT AUTH_SCHEME, URL_PATTERN FROM AM_API_URL_MAPPING m JOIN AM_API a ON "
                                     "a.API_ID = m.API_ID WHERE a.API_NAME = 'Yaml'"), [["None", "/items"]])
        r = self.call("PUT", PUB + "/apis/%s/swagger" % yid, self.pub,
                      body={"apiDefinition": json.dumps(swagger(scopes=[]))})
        self.assertEqual(r.status_code, 400, r.text)  # x-scope "order" names no scope now
        r = self.call("PUT", PUB + "/apis/%s/swagger" % yid, self.pub, body={"apiDefinition": "a: [unclosed"})
        self.assert_error(r, 400, "apiDefinition")
        self.assertEqual(self.call("DELETE", PUB + "/apis/" + yid, self.pub).status_code, 200)

    def concurrent_subscriptions(self):
        r = self.call("POST", STORE + "/applications", self.sub,
                      body={"name": "racer", "throttlingTier": "Unlimited"})
        self.assertEqual(r.status_code, 201, r.text)
        app = r.json()["applicationId"]
        body = {"applicationId": app, "apiIdentifier": self.api_id, "tier": "Gold"}
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            codes = list(ex.map(lambda _: self.call("POST", STORE + "/subscriptions", self.sub, body=body).status_code,
                                range(8)))
        self.assertEqual(sorted(codes), [201] + [409] * 7, codes)
        self.assertEqual(self.count("SELECT COUNT(*) FROM AM_SUBSCRIPTION s JOIN AM_APPLICATION a ON "
                                    "a.APPLICATION_ID = s.APPLICATION_ID WHERE a.UUID = '%s'" % app), 1)

    def admin_policies(self):
        path = ADMIN_API + "/throttling/policies/application"
        r = self.call("GET", path, self.pub)
        self.assertEqual(sorted(p["policyName"] for p in r.json()["list"]),
                         ["10PerMin", "20PerMin", "50PerMin", "Unlimited"])
        self.assertEqual(self.call("GET", path, self.sub).status_code, 403)
        body = {"policyName": "5PerMin", "description": "five", "defaultLimit": {
            "type": "RequestCountLimit", "timeUnit": "min", "unitTime": 1, "requestCount": 5}}
        r = self.call("POST", path, self.pub, body=body)
        self.assertEqual(r.status_code, 201, r.text)
        pid = r.json()["policyId"]
        self.assert_error(self.call("POST", path, self.pub, body=body), 409, "policyName")
        bad = dict(body, defaultLimit={"type": "RequestCountLimit", "timeUnit": "min", "unitTime": 1})
        self.assert_error(self.call("POST", path, self.pub, body=bad), 400, "requestCount")
        body["defaultLimit"]["requestCount"] = 6
        r = self.call("PUT", path + "/" + pid, self.pub, body=body)
        self.assertEqual((r.status_code, r.json()["defaultLimit"]["requestCount"]), (200, 6), r.text)
        # the Store accepts the new tier at once
        r = self.call("POST", STORE + "/applications", self.sub, body={"name": "slow", "throttlingTier": "5PerMin"})
        self.assertEqual(r.status_code, 201, r.text)
        self.assert_error(self.call("DELETE", path + "/" + pid, self.pub), 409)
        self.assertEqual(self.call("DELETE", STORE + "/applications/" + r.json()["applicationId"], self.sub)
                         .status_code, 200)
        self.assertEqual(self.call("DELETE", path + "/" + pid, self.pub).status_code, 200)
        self.assertEqual(self.call("GET", path + "/" + pid, self.pub).status_code, 404)
        r = self.call("GET", ADMIN_API + "/throttling/policies/subscription", auth=ADMIN)
        self.assertIn("Gold", [p["policyName"] for p in r.json()["list"]])

    def admin_blacklist(self):
        path = ADMIN_API + "/throttling/blacklist"
        r = self.call("GET", path, auth=ADMIN)
        self.assertEqual((r.status_code, r.json()), (200, {"count": 0, "list": []}), r.text)
        r = self.call("POST", path, auth=ADMIN, body={"conditionType": "IP", "conditionValue": "10.100.7.77"})
        self.assertEqual(r.status_code, 201, r.text)
        made = r.json()
        cid = made["conditionId"]
        self.assertEqual(made, {"conditionId": cid, "conditionType": "IP", "conditionValue": "10.100.7.77"})
        self.assertTrue(r.headers["Location"].endswith(path + "/" + cid), r.headers)
        self.assertEqual(self.km.sql("SELECT TYPE, VALUE, ENABLED, DOMAIN FROM AM_BLOCK_CONDITIONS WHERE UUID = '%s'"
                                     % cid), [["IP", "10.100.7.77", "TRUE", "carbon.super"]])
        r = self.call("POST", path, auth=ADMIN, body={"conditionType": "USER", "conditionValue": "mallory"})
        self.assertEqual(r.status_code, 201, r.text)
        uid = r.json()["conditionId"]
        r = self.call("GET", path, auth=ADMIN)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), {"count": 2, "list": [made, {"conditionId": uid, "conditionType": "USER",
                                                                 "conditionValue": "mallory"}]})
        r = self.call("GET", path + "/" + cid, auth=ADMIN)
        self.assertEqual((r.status_code, r.json()), (200, made), r.text)
        # refusals write nothing
        dup = {"conditionType": "IP", "conditionValue": "10.100.7.77"}
        self.assert_error(self.call("POST", path, auth=ADMIN, body=dup), 409, "conditionValue")
        self.assert_error(self.call("POST", path, auth=ADMIN, body={"conditionType": "HOST", "conditionValue": "x"}),
                          400, "conditionType")
        self.assert_error(self.call("POST", path, auth=ADMIN, body={"conditionType": "USER", "conditionValue": ""}),
                          400, "conditionValue")
        self.assert_error(self.call("POST", path, auth=ADMIN, body={"conditionType": "IP", "conditionValue": "nope"}),
                          400, "conditionValue")
        # not the administrator (a subscriber), nor an admin token without the blacklist scopes
        self.assertEqual(self.call("GET", path, self.sub).status_code, 403)
        self.assertEqual(self.call("POST", path, self.sub, body={"conditionType": "USER", "conditionValue": "eve"})
                         .status_code, 403)
        self.assertEqual(self.call("DELETE", path + "/" + cid, self.sub).status_code, 403)
        self.assertEqual(self.call("GET", path, self.pub).status_code, 403)
        self.assertEqual(self.count("SELECT COUNT(*) FROM AM_BLOCK_CONDITIONS"), 2)
        self.assertEqual(self.call("DELETE", path + "/" + cid, auth=ADMIN).status_code, 200)
        self.assertEqual(self.call("DELETE", path + "/" + cid, auth=ADMIN).status_code, 404)
        self.assert_error(self.call("GET", path + "/" + cid, auth=ADMIN), 404, "conditionId")
        r = self.call("GET", path, auth=ADMIN)
        self.assertEqual([c["conditionId"] for c in r.json()["list"]], [uid])
        self.assertEqual(self.call("DELETE", path + "/" + uid, auth=ADMIN).status_code, 200)

    def delete_application_revokes(self):
        keys = self.keys
        secret = self.call("POST", STORE + "/applications/regenerate-consumersecret", self.sub,
                           body={"consumerKey": keys["consumerKey"]}).json()["consumerSecret"]
        r = requests.post(self.base + "/oauth2/token", auth=(keys["consumerKey"], secret),
                          data={"grant_type": "client_credentials"}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        tok = r.json()
        info = requests.post(self.base + "/oauth2/introspect", data={"token": tok["access_token"]}, auth=ADMIN,
                             timeout=30).json()
        self.assertTrue(info["active"])
        self.assertEqual(self.call("DELETE", STORE + "/applications/" + self.app["applicationId"], self.sub)
                         .status_code, 200)
        info = requests.post(self.base + "/oauth2/introspect", data={"token": tok["access_token"]}, auth=ADMIN,
                             timeout=30).json()
        self.assertEqual(info, {"active": False})
        self.assertEqual(self.count("SELECT COUNT(*) FROM IDN_OAUTH_CONSUMER_APPS WHERE CONSUMER_KEY = '%s'"
                                    % keys["consumerKey"]), 0)
        self.assertEqual(self.count("SELECT COUNT(*) FROM AM_SUBSCRIPTION s JOIN AM_APPLICATION a ON "
                                    "a.APPLICATION_ID = s.APPLICATION_ID WHERE a.NAME = 'userJwt'"), 0)
        self.assertEqual(self.call("GET", STORE + "/applications/" + self.app["applicationId"], self.sub)
                         .status_code, 404)


class PortalsProfileTest(unittest.TestCase):
    """Routes only for the roles the profile runs: publisher + devportal without key-manager or admin (SQLite)."""

    def test_publisher_devportal_only(self):
        conf = ghtest.ConfTree(offset=ghtest.free_offset())
        try:
            srv = ghtest.Server(conf)  # the first start creates the tables and seeds the REST scopes
            srv.wait_ready(9763)
            srv.stop()
            srv = ghtest.Server(conf, profile="publisher,devportal")
            srv.wait_ready(9763)
            base = srv.url(9763, "")
            try:
                r = requests.get(base + PUB + "/apis", auth=ADMIN, timeout=30)
                self.assertEqual((r.status_code, r.json()["count"]), (200, 0), r.text)
                self.assertEqual(requests.get(base + STORE + "/apis", timeout=30).status_code, 200)
                # no admin role: its base path is not routed
                self.assertEqual(requests.get(base + ADMIN_API + "/throttling/policies/application", auth=ADMIN,
                                              timeout=30).status_code, 404)
                r = requests.get(base + PUB + "/apis", headers={"Authorization": "Bearer x"}, timeout=30)
                self.assertEqual(r.status_code, 401, r.text)
                # no key-manager role, but a key manager for the portals (the key material is this conf's own):
                # keys are generated
                r = requests.post(base + STORE + "/applications", auth=ADMIN, timeout=30,
                                  json={"name": "a", "throttlingTier": "Unlimited"})
                self.assertEqual(r.status_code, 201, r.text)
                r = requests.post(base + STORE + "/applications/generate-keys?applicationId=" +
                                  r.json()["applicationId"], auth=ADMIN, timeout=30,
                                  json={"keyType": "PRODUCTION", "validityTime": "3600"})
                self.assertEqual(r.status_code, 200, r.text)
                self.assertTrue(r.json()["consumerKey"] and r.json()["consumerSecret"], r.text)
            finally:
                srv.stop()
        finally:
            conf.cleanup()

    def test_portal_node_without_key_material_refuses_to_start(self):
        """A portal node must hash secrets and sign with the deployment's key material: on a fresh conf without it,
        it stops at start and says what to copy, rather than make keys of its own that no key manager knows."""
        conf = ghtest.ConfTree(offset=ghtest.free_offset())
        try:
            srv = ghtest.Server(conf, profile="publisher,devportal,admin")
            deadline = time.time() + 60
            while srv.proc.poll() is None and time.time() < deadline:
                time.sleep(0.1)
            self.assertNotEqual(srv.proc.returncode, 0)
            self.assertIn("copy its security/gatehouse-secret.key and security/oauth-keys/", srv.output())
            self.assertFalse(os.path.exists(os.path.join(conf.dir, "security", "gatehouse-secret.key")))
        finally:
            conf.cleanup()


if __name__ == "__main__":
    ghtest.main()
