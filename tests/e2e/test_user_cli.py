"""Issue 4: `gatehouse user ...` works on the configured datasource without HTTP, and what it writes is what the
server then uses (SCIM sees the user, the password authenticates). On SQLite, PostgreSQL and MariaDB."""
import base64
import json
import unittest

import ghtest


class UserCliTest(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        conf = ghtest.ConfTree(offset=ghtest.free_offset())
        try:
            if kind != "sqlite":
                url = ghtest.fresh_database(kind, base_url, "gh_e2e_cli")
                ghtest.point_all_datasources(conf, kind, url)
            cli = lambda *a, **kw: ghtest.run_cli("--conf", conf.dir, "user", *a, **kw)
            rc, out, err = cli("add", "henry", "--password-stdin", "--role", "Internal/subscriber",
                               "--claim", "http://wso2.org/claims/emailaddress=henry@example.com",
                               stdin="Henry-Pass-1\n")
            self.assertEqual(rc, 0, err)
            self.assertNotIn("Henry-Pass-1", out + err)
            rc, out, err = cli("list")
            self.assertEqual(rc, 0, err)
            self.assertIn("henry", out.split())
            self.assertIn("admin", out.split())
            rc, out, err = cli("add", "henry", "--password", "Other-Pass-2")
            self.assertEqual(rc, 1)
            self.assertIn("henry", err)
            rc, out, err = cli("add", "x y", "--password", "Other-Pass-2")
            self.assertEqual(rc, 1)  # WSO2's default user name pattern refuses spaces
            rc, out, err = cli("frobnicate")
            self.assertEqual(rc, 2)
            rc, out, err = cli("role", "add", "auditors")
            self.assertEqual(rc, 0, err)
            rc, out, err = cli("role", "assign", "henry", "auditors")
            self.assertEqual(rc, 0, err)
            rc, out, err = cli("passwd", "henry", "--password-stdin", stdin="Henry-Pass-3\n")
            self.assertEqual(rc, 0, err)
            # the server sees what the CLI wrote
            srv = ghtest.Server(conf, profile="key-manager")
            try:
                srv.wait_ready(9763)
                auth = {"Authorization": "Basic " + base64.b64encode(b"henry:Henry-Pass-3").decode()}
                status, _, body = ghtest.http("GET", srv.url(9763, "/scim2/Me"), headers=auth)
                self.assertEqual(status, 200, body)
                me = json.loads(body)
                self.assertEqual(me["emails"][0]["value"], "henry@example.com")
                self.assertEqual(sorted(g["display"] for g in me["groups"]),
                                 ["Internal/everyone", "Internal/subscriber", "auditors"])
                auth = {"Authorization": "Basic " + base64.b64encode(b"henry:Henry-Pass-1").decode()}
                self.assertEqual(ghtest.http("GET", srv.url(9763, "/scim2/Me"), headers=auth)[0], 401)
            finally:
                self.assertEqual(srv.stop(), 0)
            rc, out, err = cli("del", "henry")
            self.assertEqual(rc, 0, err)
            rc, out, err = cli("list")
            self.assertNotIn("henry", out.split())
        finally:
            conf.cleanup()

    def test_keys_rotate_keeps_the_previous_key(self):
        import os
        conf = ghtest.ConfTree(offset=ghtest.free_offset())
        try:
            for n in (1, 2):
                rc, out, err = ghtest.run_cli("--conf", conf.dir, "keys", "rotate")
                self.assertEqual(rc, 0, err)
                keys = os.listdir(conf.path("security/oauth-keys"))
                self.assertEqual(len(keys), n, keys)
                for k in keys:
                    self.assertEqual(os.stat(conf.path("security/oauth-keys/" + k)).st_mode & 0o077, 0)
            rc, out, err = ghtest.run_cli("--conf", conf.dir, "keys", "spin")
            self.assertEqual(rc, 2)
        finally:
            conf.cleanup()



if __name__ == "__main__":
    ghtest.main()
