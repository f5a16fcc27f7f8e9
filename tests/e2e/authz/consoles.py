"""Rows of the web consoles (modules/consoles): their static pages are public (the pages sign in with the
console's own OAuth client); /carbon/api is authorised by the bearer token's user and that user's permissions."""
from authz import Row, expect, same

ROWS = [Row("management", "GET", site, site + "/", same(200), auth=None)
        for site in ("/publisher", "/store", "/devportal", "/admin", "/carbon")] + [
    Row("management", "GET", site, site + "/config.json", same(200), auth=None)
    for site in ("/publisher", "/store", "/devportal", "/admin", "/carbon")] + [
    Row("management", "GET", "/carbon/api", "/carbon/api/permissions", expect(401, 403, 403, 403, 200),
        auth="bearer", note="rolemgt/view"),
    Row("management", "GET", "/carbon/api", "/carbon/api/permissions?role=authz_member",
        expect(401, 403, 403, 403, 200), auth="bearer"),
    Row("management", "PUT", "/carbon/api",
        lambda fx, who: "/carbon/api/permissions?role=" + fx.rest("admin", "GET", "/scim2/Groups/" +
                                                                  fx.fresh_group())["displayName"],
        expect(401, 403, 403, 403, 200), auth="bearer", body={"permissions": ["/permission/admin/login"]},
        note="rolemgt/update"),
    Row("management", "POST", "/carbon/api", "/carbon/api/unlock", expect(401, 403, 204, 204, 204), auth="bearer",
        body=lambda fx, who: {"userName": fx.fresh_user_name()}, note="usermgt/update (members hold usermgt)"),
]
