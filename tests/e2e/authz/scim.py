"""Rows of SCIM 2.0 (/scim2): Users, Groups, Me, ServiceProviderConfig."""
from authz import Row, expect, same

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def user_path(fx, who):
    return "/scim2/Users/" + fx.user_id("owner")


def fresh_user_path(fx, who):
    return "/scim2/Users/" + fx.fresh_user()


def fresh_group_path(fx, who):
    return "/scim2/Groups/" + fx.fresh_group()


def admin_group(fx, who):
    return "/scim2/Groups/" + fx.group_id("admin")


def add_self(fx, who):
    return {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members",
                                                "value": [{"value": fx.user_id(who) if who != "none" else "x"}]}]}


ROWS = [
    Row("management", "GET", "/scim2", "/scim2/Users", expect(401, 403, 200, 200, 200)),
    Row("management", "POST", "/scim2", "/scim2/Users", expect(401, 403, 201, 201, 201), ctype=SCIM,
        body=lambda fx, who: {"schemas": [USER], "userName": fx.unique("u"), "password": "Secret-123"}),
    Row("management", "GET", "/scim2", user_path, expect(401, 403, 200, 200, 200)),
    Row("management", "PUT", "/scim2", fresh_user_path, expect(401, 403, 200, 200, 200), ctype=SCIM,
        body=lambda fx, who: {"schemas": [USER], "name": {"givenName": "Put"}}),
    Row("management", "PATCH", "/scim2", fresh_user_path, expect(401, 403, 200, 200, 200), ctype=SCIM,
        body={"schemas": [PATCH], "Operations": [{"op": "replace", "path": "name.givenName", "value": "P"}]}),
    Row("management", "DELETE", "/scim2", fresh_user_path, expect(401, 403, 204, 204, 204)),
    Row("management", "PATCH", "/scim2", lambda fx, who: "/scim2/Users/" + fx.user_id("admin"),
        expect(401, 403, 403, 403, 200), ctype=SCIM,
        body={"schemas": [PATCH], "Operations": [{"op": "replace", "path": "password", "value": "admin"}]},
        note="changing the administrator needs every permission it holds"),
    Row("management", "GET", "/scim2", "/scim2/Me", expect(401, 200, 200, 200, 200)),
    Row("management", "PATCH", "/scim2", "/scim2/Me", expect(401, 200, 200, 200, 200), ctype=SCIM,
        body={"schemas": [PATCH], "Operations": [{"op": "replace", "path": "name.familyName", "value": "Me"}]}),
    Row("management", "PUT", "/scim2", "/scim2/Me", expect(401, 200, 200, 200, 200), ctype=SCIM,
        body=lambda fx, who: {"schemas": [USER], "name": {"givenName": who}}),
    Row("management", "GET", "/scim2", "/scim2/Groups", expect(401, 403, 200, 200, 200)),
    Row("management", "POST", "/scim2", "/scim2/Groups", expect(401, 403, 201, 201, 201), ctype=SCIM,
        body=lambda fx, who: {"displayName": fx.unique("g")}),
    Row("management", "GET", "/scim2", lambda fx, who: "/scim2/Groups/" + fx.group_id("authz_member"),
        expect(401, 403, 200, 200, 200)),
    Row("management", "PUT", "/scim2", fresh_group_path, expect(401, 403, 200, 200, 200), ctype=SCIM,
        body={"members": []}),
    Row("management", "PATCH", "/scim2", fresh_group_path, expect(401, 403, 200, 200, 200), ctype=SCIM,
        body=lambda fx, who: {"schemas": [PATCH], "Operations": [
            {"op": "add", "path": "members", "value": [{"value": fx.user_id("noperm")}]}]}),
    Row("management", "DELETE", "/scim2", fresh_group_path, expect(401, 403, 204, 204, 204)),
    Row("management", "PATCH", "/scim2", admin_group, expect(401, 403, 403, 403, 200), ctype=SCIM, body=add_self,
        note="handing out the admin role needs every permission it grants"),
    Row("management", "GET", "/scim2", "/scim2/ServiceProviderConfig", same(200), auth=None),
]
