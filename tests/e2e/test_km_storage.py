"""Key manager storage modes: WSO2's plain storage only when identity.xml names PlainTextPersistenceProcessor AND
EnableClientSecretHash is false; an unknown TokenPersistenceProcessor class stops the start with a message that
lists the known ones; the server secret file is created 0600."""
import os
import stat
import time
import unittest

import requests
from authlib.integrations.requests_client import OAuth2Session

import ghtest
import km_flows

PLAIN = "org.wso2.carbon.identity.oauth.tokenprocessor.PlainTextPersistenceProcessor"


def processor(cls, secret_hash):
    return [("identity/identity.xml", r"<!--TokenPersistenceProcessor>.*?</TokenPersistenceProcessor-->",
             "<TokenPersistenceProcessor>%s</TokenPersistenceProcessor>" % cls),
            ("identity/identity.xml", r"<EnableClientSecretHash>\w+</EnableClientSecretHash>",
             "<EnableClientSecretHash>%s</EnableClientSecretHash>" % secret_hash)]


class KmStorageTest(unittest.TestCase):
    def issue(self, km):
        app = km.register("store-app", ["client_credentials"]).json()
        s = OAuth2Session(app["client_id"], app["client_secret"])
        tok = s.fetch_token(km.base + "/oauth2/token", grant_type="client_credentials")
        return app, tok

    def test_plain_storage_when_both_switches_say_so(self):
        km = km_flows.KmServer("sqlite", None, edits=processor(PLAIN, "false"))
        try:
            app, tok = self.issue(km)
            rows = km.sql("SELECT ACCESS_TOKEN FROM IDN_OAUTH2_ACCESS_TOKEN")
            self.assertIn([tok["access_token"]], rows)
            rows = km.sql("SELECT CONSUMER_SECRET FROM IDN_OAUTH_CONSUMER_APPS WHERE CONSUMER_KEY = '%s'" % app["client_id"])
            self.assertEqual(rows, [[app["client_secret"]]])
            r = requests.post(km.base + "/oauth2/introspect", data={"token": tok["access_token"]}, auth=km_flows.ADMIN)
            self.assertTrue(r.json()["active"])
        finally:
            km.stop()

    def test_plain_tokens_but_hashed_secrets(self):
        km = km_flows.KmServer("sqlite", None, edits=processor(PLAIN, "true"))
        try:
            app, tok = self.issue(km)
            self.assertIn([tok["access_token"]], km.sql("SELECT ACCESS_TOKEN FROM IDN_OAUTH2_ACCESS_TOKEN"))
            rows = km.sql("SELECT CONSUMER_SECRET FROM IDN_OAUTH_CONSUMER_APPS WHERE CONSUMER_KEY = '%s'" % app["client_id"])
            self.assertEqual(len(rows[0][0]), 64)
            self.assertNotEqual(rows[0][0], app["client_secret"])
            mode = os.stat(km.conf.path("security/gatehouse-secret.key")).st_mode
            self.assertEqual(stat.S_IMODE(mode), 0o600)
        finally:
            km.stop()

    def test_revoked_rows_are_purged_in_the_background(self):
        os.environ["GH_KM_PURGE_SECONDS"] = "1"
        try:
            km = km_flows.KmServer("sqlite", None)
        finally:
            del os.environ["GH_KM_PURGE_SECONDS"]
        try:
            app, tok = self.issue(km)
            _, keep = self.issue_again(km, app)
            r = requests.post(km.base + "/oauth2/revoke", data={"token": tok["access_token"]},
                              auth=(app["client_id"], app["client_secret"]))
            self.assertEqual(r.status_code, 200)
            deadline = time.time() + 20
            while time.time() < deadline:
                states = km.sql("SELECT TOKEN_STATE FROM IDN_OAUTH2_ACCESS_TOKEN")
                if states == [["ACTIVE"]]:
                    break
                time.sleep(0.5)
            self.assertEqual(states, [["ACTIVE"]])  # the revoked row and its scope rows are gone, the live one stays
            self.assertTrue(requests.post(km.base + "/oauth2/introspect", data={"token": keep["access_token"]},
                                          auth=km_flows.ADMIN).json()["active"])
            scopes = km.sql("SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE")
            self.assertEqual(scopes, [["1"]])
        finally:
            km.stop()

    def issue_again(self, km, app):
        s = OAuth2Session(app["client_id"], app["client_secret"])
        return app, s.fetch_token(km.base + "/oauth2/token", grant_type="client_credentials")

    def test_unknown_processor_refused(self):
        conf = ghtest.ConfTree(offset=ghtest.free_offset())
        try:
            for rel, pat, repl in processor("com.example.RotProcessor", "true"):
                conf.edit(rel, pat, repl)
            srv = ghtest.Server(conf)
            rc = srv.proc.wait(60)
            out = srv.output()
            srv.stop()
            self.assertNotEqual(rc, 0)
            self.assertIn("TokenPersistenceProcessor", out)
            self.assertIn("HashingPersistenceProcessor", out)
        finally:
            conf.cleanup()


if __name__ == "__main__":
    ghtest.main()
