"""Issue 3: `gatehouse --setup` creates the schema in empty databases, a second run changes nothing, and data
written before a restart is there after it. On SQLite, PostgreSQL and MariaDB."""
import glob
import os
import unittest

import ghtest

EXPECTED = {"UM_USER", "UM_ROLE", "UM_USER_ROLE", "UM_USER_ATTRIBUTE", "UM_HYBRID_ROLE", "IDN_OAUTH_CONSUMER_APPS",
            "IDN_OAUTH2_ACCESS_TOKEN", "IDN_OAUTH2_SCOPE", "AM_API", "AM_APPLICATION", "AM_SUBSCRIPTION",
            "AM_POLICY_SUBSCRIPTION", "GH_SCHEMA_VERSION"}


class SetupTest(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        conf = ghtest.ConfTree(offset=ghtest.free_offset())
        try:
            if kind == "sqlite":
                url, sqlite_path = None, os.path.join(conf.home, "repository", "database", "WSO2AM_DB.db")
            else:
                url = ghtest.fresh_database(kind, base_url, "gh_e2e_setup")
                sqlite_path = None
                ghtest.point_all_datasources(conf, kind, url)
            rc, out, err = ghtest.run_cli("--setup", "--conf", conf.dir)
            self.assertEqual(rc, 0, err)
            if kind == "sqlite":
                self.assertTrue(os.path.exists(sqlite_path), glob.glob(conf.home + "/repository/database/*"))
            first = ghtest.tables(url, sqlite_path)
            if kind == "sqlite":  # the AM database; the realm lives in WSO2CARBON_DB.db
                carbon = os.path.join(conf.home, "repository", "database", "WSO2CARBON_DB.db")
                self.assertIn("UM_USER", ghtest.tables(None, carbon))
                self.assertTrue(EXPECTED - {"UM_USER", "UM_ROLE", "UM_USER_ROLE", "UM_USER_ATTRIBUTE",
                                            "UM_HYBRID_ROLE"} <= set(first), first)
            else:
                self.assertTrue(EXPECTED <= set(first), sorted(EXPECTED - set(first)))
            versions = ghtest.sql(url, "SELECT COMPONENT, VERSION FROM GH_SCHEMA_VERSION ORDER BY COMPONENT",
                                  sqlite_path)
            self.assertTrue(versions)
            seeded = ghtest.sql(url, "SELECT COUNT(*) FROM AM_POLICY_SUBSCRIPTION", sqlite_path)[0][0]
            self.assertEqual(seeded, "5")
            ghtest.sql(url, "INSERT INTO AM_SUBSCRIBER (USER_ID, TENANT_ID, DATE_SUBSCRIBED) "
                            "VALUES ('kept-user', -1234, '2026-01-02 03:04:05')", sqlite_path)
            # a second run changes nothing
            rc, out, err = ghtest.run_cli("--setup", "--conf", conf.dir)
            self.assertEqual(rc, 0, err)
            self.assertEqual(ghtest.tables(url, sqlite_path), first)
            self.assertEqual(ghtest.sql(url, "SELECT COMPONENT, VERSION FROM GH_SCHEMA_VERSION ORDER BY COMPONENT",
                                        sqlite_path), versions)
            self.assertEqual(ghtest.sql(url, "SELECT COUNT(*) FROM AM_POLICY_SUBSCRIPTION", sqlite_path)[0][0], "5")
            # a server start on the set-up database keeps the data too
            srv = ghtest.Server(conf)
            try:
                srv.wait_ready(9763)
                status, _, body = ghtest.http("GET", srv.url(9763, "/health"))
                self.assertEqual(status, 200, body)
            finally:
                self.assertEqual(srv.stop(), 0)
            rows = ghtest.sql(url, "SELECT USER_ID FROM AM_SUBSCRIBER WHERE USER_ID='kept-user'", sqlite_path)
            self.assertEqual(rows, [["kept-user"]])
        finally:
            conf.cleanup()


    def test_first_start_on_empty_database_creates_schema(self):
        conf = ghtest.ConfTree(offset=ghtest.free_offset())
        try:
            srv = ghtest.Server(conf)
            try:
                srv.wait_ready(9763)
            finally:
                self.assertEqual(srv.stop(), 0)
            carbon = os.path.join(conf.home, "repository", "database", "WSO2CARBON_DB.db")
            self.assertIn("UM_USER", ghtest.tables(None, carbon))
            # and the administrator from user-mgt.xml exists
            self.assertEqual(ghtest.sql(None, "SELECT COUNT(*) FROM UM_USER WHERE UM_USER_NAME='admin'", carbon),
                             [["1"]])
        finally:
            conf.cleanup()


if __name__ == "__main__":
    ghtest.main()
