"""The authorisation matrix: for every route the server registers (`gatehouse --list-routes`) and every method
it declares, what each kind of caller gets. tests/e2e/test_authz_matrix.py runs every row against the real
binary on SQLite, PostgreSQL and MariaDB, and fails when a listed route or method has no row, when a row names a
route the server does not list, or when an answer differs from the row.

HOW A MODULE ADDS ITS ROWS
--------------------------
1. Register routes with gh_server_route_methods(srv, mask, "/path", "GET POST", fn, data, err) so
   --list-routes shows their methods (plain gh_server_route lists "*": then at least one row is required).
2. Add tests/e2e/authz/<module>.py defining ROWS, a list of Row(...). One row per (listener, method, route)
   at least; more rows for sub-paths (e.g. /register/{client_id}) or special objects (the admin group).
3. Each row gives the request and the expected status per caller:
      none    no credentials at all
      noperm  a signed-in user holding no permission beyond login (role Internal/everyone only)
      other   a user holding the same permissions as the owner, who does not own the object
      owner   the user who owns the object (a client registered for it, its own applications ...)
      admin   the administrator (admin/admin, role admin: /permission)
   `other` and `owner` hold the role authz_member (login, application management, user management,
   api subscribe/create/publish: see test_authz_matrix.Fixture); add permissions there if a new module needs one.
4. path and body may be callables f(fx, who) -> str / dict / bytes, called once per caller, so a DELETE row can
   create a fresh object for each caller (fx is the Fixture: fx.client(owner), fx.fresh_user(), fx.unique() ...).
5. auth says which credentials a caller presents: "basic" (its user name and password), "client" (the OAuth
   client registered for it), "bearer" (an access token of that user with scope openid and the WSO2 REST and
   SCIM scopes), or None (nothing: a public route; expect the same status for everyone).
"""
import collections

CALLERS = ("none", "noperm", "other", "owner", "admin")

Row = collections.namedtuple("Row", "listener method route path expect auth body ctype note")
Row.__new__.__defaults__ = ("basic", None, None, "")


def same(status):
    """The same answer for every caller."""
    return {c: status for c in CALLERS}


def expect(none, noperm, other, owner, admin):
    return dict(zip(CALLERS, (none, noperm, other, owner, admin)))
