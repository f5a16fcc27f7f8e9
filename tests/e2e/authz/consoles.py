"""Rows of the web consoles (modules/consoles): their static pages are public (the pages sign in with the
console's own OAuth client); /carbon/api is authorised by the bearer token's user and that user's permissions."""
import urllib.parse

from authz import Row, expect, same

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def fresh_role(fx, who, member=False, permissions=None):
    """/carbon/api/permissions?role= a fresh role (the caller a member of it if told, holding permissions if given)."""
    gid = fx.fresh_group()
    if member and who != "none":
        fx.admin("PATCH", "/scim2/Groups/" + gid, {"schemas": [PATCH], "Operations": [
            {"op": "add", "path": "members", "value": [{"value": fx.user_id(who)}]}]}, "application/scim+json")
    path = "/carbon/api/permissions?role=" + urllib.parse.quote(fx.admin("GET", "/scim2/Groups/" + gid)["displayName"])
    if permissions is not None:
        r = fx.http["management"].call("PUT", path, {"permissions": permissions}, auth=fx.bearer("admin"))
        assert r.status == 200, r
    return path

ROWS = [Row("management", "GET", site, site + "/", same(200), auth=None)
        for site in ("/publisher", "/store", "/devportal", "/admin", "/carbon")] + [
    Row("management", "GET", site, site + "/config.json", same(200), auth=None)
    for site in ("/publisher", "/store", "/devportal", "/admin", "/carbon")] + [
    Row("management", "GET", "/carbon/api", "/carbon/api/permissions", expect(401, 403, 200, 200, 200),
        auth="bearer", note="rolemgt/view (members hold rolemgt)"),
    Row("management", "GET", "/carbon/api", "/carbon/api/permissions?role=authz_member",
        expect(401, 403, 200, 200, 200), auth="bearer"),
    Row("management", "PUT", "/carbon/api", fresh_role, expect(401, 403, 200, 200, 200), auth="bearer",
        body={"permissions": ["/permission/admin/login"]}, note="rolemgt/update, granting what the caller holds"),
    Row("management", "PUT", "/carbon/api", lambda fx, who: fresh_role(fx, who, member=True),
        expect(401, 403, 403, 403, 200), auth="bearer", body={"permissions": ["/permission"]},
        note="granting a permission the caller does not hold (here: everything, to its own role) is refused"),
    Row("management", "PUT", "/carbon/api",
        lambda fx, who: fresh_role(fx, who, permissions=["/permission/admin/monitor"]),
        expect(401, 403, 403, 403, 200), auth="bearer", body={"permissions": []},
        note="changing a role that grants more than the caller holds is refused (as SCIM's Groups)"),
    Row("management", "POST", "/carbon/api", "/carbon/api/unlock", expect(401, 403, 204, 204, 204), auth="bearer",
        body=lambda fx, who: {"userName": fx.fresh_user_name()}, note="usermgt/update (members hold usermgt)"),
    Row("management", "POST", "/carbon/api", "/carbon/api/unlock", expect(401, 403, 403, 403, 204), auth="bearer",
        body={"userName": "admin"}, note="unlocking the administrator needs every permission it holds (as SCIM)"),
]
