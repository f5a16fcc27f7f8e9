"""Rows of the Publisher, Store and Admin v0.14 REST APIs (modules/portals): one per (method, sub-route) of their
route tables (ep_publisher_apis.c, ep_store_apis.c, ep_admin_policies.c). `other` and `owner` hold the creator,
publisher and subscriber roles (their scopes); `owner` made the object. As in API Manager 2.6, any creator or
publisher of the tenant reads and changes any API and its subscriptions; applications, their keys and their
subscriptions are their owner's (and the administrator's) only: another user gets 403."""
import json

from authz import Row, expect, same

PUB = "/api/am/publisher/v0.14"
STORE = "/api/am/store/v0.14"
ADMIN = "/api/am/admin/v0.14"
POLICIES = ADMIN + "/throttling/policies/application"
BLACKLIST = ADMIN + "/throttling/blacklist"
BOUNDARY = "authzmatrixboundary"


def new_api(fx, who):
    return {"name": fx.unique("new"), "context": "/" + fx.unique("newctx"), "version": "v1", "tiers": ["Unlimited"],
            "endpointConfig": json.dumps({"production_endpoints": {"url": "http://127.0.0.1:9/"},
                                          "endpoint_type": "http"})}


def owner_api(fx, who):
    return PUB + "/apis/" + fx.api("owner")


def fresh_api(fx, who):
    fx.last = fx.api("owner", fresh=True)
    return PUB + "/apis/" + fx.last


def changed_api(fx, who):
    a = fx.rest("admin", "GET", PUB + "/apis/" + fx.last)
    a["description"] = "changed by " + who
    return a


def swagger_form(fx, who):
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "v1"},
           "paths": {"/items": {"get": {"x-auth-type": "Application & Application User",
                                        "x-throttling-tier": "Unlimited",
                                        "responses": {"200": {"description": "ok"}}}}}}
    return ("--%s\r\nContent-Disposition: form-data; name=\"apiDefinition\"\r\n\r\n%s\r\n--%s--\r\n"
            % (BOUNDARY, json.dumps(doc), BOUNDARY))


def lifecycle(fx, who):
    return PUB + "/apis/change-lifecycle?apiId=%s&action=Publish" % fx.api("owner", fresh=True, published=False)


def publisher_app(fx, who):
    fx.subscription("owner")
    return PUB + "/applications/" + fx.application("owner")


def block(fx, who):
    return PUB + "/subscriptions/block-subscription?subscriptionId=%s&blockState=BLOCKED" % fx.subscription(
        "owner", fresh=True)


def unblock(fx, who):
    sub = fx.subscription("owner", fresh=True)
    fx.rest("admin", "POST", PUB + "/subscriptions/block-subscription?subscriptionId=%s&blockState=BLOCKED" % sub)
    return PUB + "/subscriptions/unblock-subscription?subscriptionId=" + sub


def store_api(fx, who):
    return STORE + "/apis/" + fx.api("owner")


def owner_app(fx, who):
    return STORE + "/applications/" + fx.application("owner")


def fresh_app(fx, who):
    return STORE + "/applications/" + fx.application("owner", fresh=True)


def owner_keys(fx, who):
    return STORE + "/applications/%s/keys/PRODUCTION" % fx.keys("owner")["applicationId"]


def fresh_keys(fx, who):
    return STORE + "/applications/%s/keys/PRODUCTION" % fx.keys("owner", fresh=True)["applicationId"]


def generate(fx, who):
    return STORE + "/applications/generate-keys?applicationId=" + fx.application("owner", fresh=True)


def new_subscription(fx, who):
    return {"applicationId": fx.application("owner", fresh=True), "apiIdentifier": fx.api("owner"),
            "tier": "Unlimited"}


def owner_sub(fx, who):
    return STORE + "/subscriptions/" + fx.subscription("owner")


def fresh_sub(fx, who):
    return STORE + "/subscriptions/" + fx.subscription("owner", fresh=True)


def new_policy(fx, who):
    return {"policyName": fx.unique("pol"), "description": "authz", "defaultLimit": {
        "type": "RequestCountLimit", "timeUnit": "min", "unitTime": 1, "requestCount": 5}}


def fresh_policy(fx, who):
    fx.last = new_policy(fx, who)
    return POLICIES + "/" + fx.rest("admin", "POST", POLICIES, fx.last)["policyId"]


def new_condition(fx, who):
    return {"conditionType": "USER", "conditionValue": fx.unique("blocked")}


def fresh_condition(fx, who):
    return BLACKLIST + "/" + fx.rest("admin", "POST", BLACKLIST, new_condition(fx, who))["conditionId"]


def changed_policy(fx, who):
    return dict(fx.last, description="changed by " + who)


CREATOR = "openid apim:api_view apim:api_create"  # a token of the creator scopes only
SEEN = expect(401, 403, 200, 200, 200)      # creators, publishers (and subscribers where the scope says so)
OWNED = expect(401, 403, 403, 200, 200)     # the application's owner and the administrator only
ADMIN_ONLY = expect(401, 403, 403, 403, 200)  # apim:tier_manage is bound to the admin role only

ROWS = [
    # Publisher: any creator/publisher of the tenant (WSO2 2.6); a user without the roles gets 403
    Row("management", "GET", PUB, PUB + "/apis", SEEN),
    Row("management", "GET", PUB, PUB + "/apis", SEEN, auth="bearer", note="the same with an access token"),
    Row("management", "POST", PUB, PUB + "/apis", expect(401, 403, 201, 201, 201), body=new_api),
    Row("management", "POST", PUB, PUB + "/apis", expect(401, 403, 403, 201, 201),
        body=lambda fx, who: dict(new_api(fx, who), provider="owner"),
        note="only the administrator creates an API for another provider"),
    Row("management", "POST", PUB, lifecycle, SEEN, note="owner's API in CREATED, published"),
    Row("management", "GET", PUB, owner_api, SEEN),
    Row("management", "PUT", PUB, fresh_api, SEEN, body=changed_api,
        note="a publisher may change another provider's API (WSO2 2.6)"),
    Row("management", "DELETE", PUB, fresh_api, SEEN),
    Row("management", "PUT", PUB, fresh_api, expect(401, 403, 403, 200, 200), body=changed_api,
        auth=lambda fx, who: fx.bearer(who, CREATOR), note="without apim:api_publish only the provider changes it"),
    Row("management", "DELETE", PUB, fresh_api, expect(401, 403, 403, 200, 200),
        auth=lambda fx, who: fx.bearer(who, CREATOR)),
    Row("management", "DELETE", PUB, fresh_api, SEEN, auth="bearer"),
    Row("management", "GET", PUB, lambda fx, who: owner_api(fx, who) + "/swagger", SEEN),
    Row("management", "PUT", PUB, lambda fx, who: fresh_api(fx, who) + "/swagger", SEEN, body=swagger_form,
        ctype="multipart/form-data; boundary=" + BOUNDARY),
    Row("management", "PUT", PUB, lambda fx, who: fresh_api(fx, who) + "/swagger", expect(401, 403, 403, 200, 200),
        body=swagger_form, ctype="multipart/form-data; boundary=" + BOUNDARY,
        auth=lambda fx, who: fx.bearer(who, CREATOR)),
    Row("management", "GET", PUB, lambda fx, who: owner_api(fx, who) + "/lifecycle-history", SEEN),
    Row("management", "GET", PUB, publisher_app, OWNED,
        note="an application is shown to the providers of the APIs it subscribes to"),
    Row("management", "GET", PUB, lambda fx, who: PUB + "/subscriptions?apiId=" + fx.api("owner"), SEEN),
    Row("management", "GET", PUB, lambda fx, who: PUB + "/subscriptions/" + fx.subscription("owner"), SEEN),
    Row("management", "POST", PUB, block, SEEN, note="any publisher blocks (WSO2 2.6)"),
    Row("management", "POST", PUB, unblock, SEEN),
    Row("management", "GET", PUB, PUB + "/tiers/api", SEEN),
    Row("management", "GET", PUB, PUB + "/tiers/api/Unlimited", SEEN),
    # Store: the catalogue is public; applications, keys and subscriptions are their owner's
    Row("management", "GET", STORE, STORE + "/apis", same(200), note="anonymous or signed in"),
    Row("management", "GET", STORE, store_api, same(200)),
    Row("management", "GET", STORE, lambda fx, who: STORE + "/apis/" + fx.api("owner", published=False), same(404),
        note="an API not published is not in the Store, not even for its provider"),
    Row("management", "GET", STORE, lambda fx, who: store_api(fx, who) + "/swagger", same(200)),
    Row("management", "GET", STORE, STORE + "/tiers/application", same(200)),
    Row("management", "GET", STORE, STORE + "/tiers/application/Unlimited", same(200)),
    Row("management", "GET", STORE, STORE + "/tags", same(200)),
    Row("management", "GET", STORE, STORE + "/applications", SEEN, note="each caller's own list"),
    Row("management", "POST", STORE, STORE + "/applications", expect(401, 403, 201, 201, 201),
        body=lambda fx, who: {"name": fx.unique("app"), "throttlingTier": "Unlimited"}),
    Row("management", "POST", STORE, STORE + "/applications", expect(401, 403, 201, 201, 201), auth="bearer",
        body=lambda fx, who: {"name": fx.unique("app"), "throttlingTier": "Unlimited"}),
    Row("management", "GET", STORE, owner_app, OWNED),
    Row("management", "GET", STORE, owner_app, expect(401, 403, 403, 403, 403),
        auth=lambda fx, who: fx.bearer(who, "openid apim:api_view"),
        note="a token without apim:subscribe is refused, whatever its user's roles"),
    Row("management", "GET", STORE, owner_app, OWNED, auth="bearer"),
    Row("management", "PUT", STORE, fresh_app, OWNED,
        body=lambda fx, who: {"name": fx.unique("renamed"), "throttlingTier": "Unlimited"}),
    Row("management", "DELETE", STORE, fresh_app, OWNED),
    Row("management", "POST", STORE, generate, OWNED,
        body={"keyType": "PRODUCTION", "validityTime": "3600", "supportedGrantTypes": ["client_credentials"]}),
    Row("management", "POST", STORE, STORE + "/applications/regenerate-consumersecret", OWNED,
        body=lambda fx, who: {"consumerKey": fx.keys("owner", fresh=True)["consumerKey"]}),
    Row("management", "POST", STORE, STORE + "/applications/regenerate-consumersecret", OWNED, auth="bearer",
        body=lambda fx, who: {"consumerKey": fx.keys("owner", fresh=True)["consumerKey"]}),
    Row("management", "GET", STORE, owner_keys, OWNED),
    Row("management", "PUT", STORE, fresh_keys, OWNED,
        body={"supportedGrantTypes": ["client_credentials"], "callbackUrl": ""}),
    Row("management", "GET", STORE, lambda fx, who: STORE + "/subscriptions?applicationId=" +
        fx.application("owner"), OWNED),
    Row("management", "GET", STORE, lambda fx, who: STORE + "/apis/" + fx.api("owner", roles=("admin",)),
        expect(404, 404, 404, 404, 200), note="an API RESTRICTED to the admin role: hidden, even from its provider"),
    Row("management", "POST", STORE, STORE + "/subscriptions", expect(401, 403, 404, 404, 201),
        body=lambda fx, who: {"applicationId": fx.application(who, fresh=True) if who in ("other", "owner", "admin")
                              else "none", "apiIdentifier": fx.api("owner", roles=("admin",)), "tier": "Unlimited"},
        note="each caller's own application to the RESTRICTED API"),
    Row("management", "GET", STORE, lambda fx, who: STORE + "/subscriptions?apiId=" + fx.api("owner"), SEEN,
        note="each caller's own subscriptions to the API"),
    Row("management", "GET", STORE, STORE + "/subscriptions", expect(401, 403, 400, 400, 400),
        note="no listing of every subscription"),
    Row("management", "POST", STORE, STORE + "/subscriptions", expect(401, 403, 403, 201, 201),
        body=new_subscription, note="to owner's application"),
    Row("management", "GET", STORE, owner_sub, OWNED),
    Row("management", "DELETE", STORE, fresh_sub, OWNED),
    # Admin: tiers are read by creators and publishers, managed by the administrator
    Row("management", "GET", ADMIN, POLICIES, SEEN),
    Row("management", "POST", ADMIN, POLICIES, expect(401, 403, 403, 403, 201), body=new_policy),
    Row("management", "GET", ADMIN, fresh_policy, SEEN),
    Row("management", "PUT", ADMIN, fresh_policy, ADMIN_ONLY, body=changed_policy),
    Row("management", "DELETE", ADMIN, fresh_policy, ADMIN_ONLY),
    # Admin: blocking conditions are the administrator's alone (apim:bl_view and apim:bl_manage)
    Row("management", "GET", ADMIN, BLACKLIST, ADMIN_ONLY),
    Row("management", "POST", ADMIN, BLACKLIST, expect(401, 403, 403, 403, 201), body=new_condition),
    Row("management", "GET", ADMIN, fresh_condition, ADMIN_ONLY),
    Row("management", "DELETE", ADMIN, fresh_condition, ADMIN_ONLY),
]
