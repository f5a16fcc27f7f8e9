"""Issue 2: the binary starts with a port offset, serves /health on all four listeners, TLS on the two HTTPS
ones, and stops cleanly on SIGTERM."""
import json
import os
import signal
import socket
import ssl
import unittest

import ghtest


class RuntimeTest(unittest.TestCase):
    def setUp(self):
        self.conf = ghtest.ConfTree(offset=ghtest.free_offset(preferred=1))
        self.srv = None

    def tearDown(self):
        if self.srv is not None and self.srv.proc.poll() is None:
            self.srv.stop()
        self.conf.cleanup()

    def test_offset_ports_health_tls_and_drain(self):
        self.srv = ghtest.Server(self.conf)
        self.srv.wait_ready(9763)
        self.srv.wait_ready(8280)
        ctx = ghtest.tls_context(self.conf)
        for base in ghtest.PORTS:
            url = self.srv.url(base, "/health")
            status, headers, body = ghtest.http("GET", url, ctx=ctx)
            self.assertEqual(status, 200, "%s -> %d %s" % (url, status, body))
            doc = json.loads(body)
            self.assertEqual(doc["status"], "UP")
            self.assertEqual(sorted(doc["roles"]), ["admin", "devportal", "gateway", "key-manager", "publisher"])
            names = {d["name"]: d for d in doc["datasources"]}
            self.assertIn("WSO2AM_DB", names)
            self.assertEqual(names["WSO2AM_DB"]["status"], "UP")
            self.assertEqual(names["WSO2AM_DB"]["dialect"], "sqlite")
        # the offset moved every port: nothing answers on offset+1 of a port we do not own
        for base in (9443, 8243):
            # the certificate verifies against the generated one for the name localhost, with TLS >= 1.2
            with socket.create_connection(("127.0.0.1", self.srv.port(base))) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                    self.assertIn(tls.version(), ("TLSv1.2", "TLSv1.3"))
                    self.assertEqual(dict(x[0] for x in tls.getpeercert()["subject"])["commonName"], "localhost")
            # and an untrusting client is refused: TLS is really on
            with socket.create_connection(("127.0.0.1", self.srv.port(base))) as raw:
                with self.assertRaises(ssl.SSLError):
                    ssl.create_default_context().wrap_socket(raw, server_hostname="localhost")
        # plain HTTP on an HTTPS port is not served as HTTP
        status, _, _ = (0, None, None)
        with socket.create_connection(("127.0.0.1", self.srv.port(9443))) as raw:
            raw.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            raw.settimeout(5)
            try:
                data = raw.recv(100)
            except (ConnectionResetError, socket.timeout):
                data = b""
            self.assertFalse(data.startswith(b"HTTP/1.1 200"))
        # unknown paths are 404 with WSO2's fault body, not health; management routes are not on gateway ports
        for base, path in ((9763, "/nothing-here"), (8280, "/healthz"), (8280, "/scim2/Users")):
            status, _, body = ghtest.http("GET", self.srv.url(base, path))
            self.assertEqual(status, 404)
            self.assertEqual(json.loads(body)["fault"]["code"], 404)
        self.assertEqual(self.srv.stop(signal.SIGTERM), 0)
        self.assertIn("SIGTERM", self.srv.output())

    def test_sigterm_drains_in_flight_requests(self):
        # a SCIM create costs two slow password hashes (admin's check, the new user's hash): it is in flight
        # when SIGTERM arrives, and must still be answered before the process exits 0
        import base64
        import threading
        self.srv = ghtest.Server(self.conf, profile="key-manager")
        self.srv.wait_ready(9763)
        result = {}
        body = json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "drainer",
                           "password": "Drain-Pass-1"}).encode()
        auth = "Basic " + base64.b64encode(b"admin:admin").decode()

        def call():
            result["r"] = ghtest.http("POST", self.srv.url(9763, "/scim2/Users"), body,
                                      {"Authorization": auth, "Content-Type": "application/scim+json"})
        t = threading.Thread(target=call)
        t.start()
        import time
        time.sleep(0.15)
        self.srv.proc.send_signal(signal.SIGTERM)
        t.join(60)
        self.assertEqual(result["r"][0], 201, result)
        self.assertEqual(self.srv.proc.wait(30), 0)
        out = self.srv.output()
        # the signal really came first: the user was written while the server was draining
        self.assertLess(out.index("SIGTERM received"), out.index("user 'drainer' created"), out)

    def test_certificate_is_reused_on_restart(self):
        self.srv = ghtest.Server(self.conf)
        self.srv.wait_ready(9763)
        with open(self.conf.path("security/gatehouse-cert.pem")) as f:
            first = f.read()
        self.assertEqual(os.stat(self.conf.path("security/gatehouse-key.pem")).st_mode & 0o077, 0)
        self.assertEqual(self.srv.stop(signal.SIGINT), 0)
        self.srv = ghtest.Server(self.conf)
        self.srv.wait_ready(9763)
        with open(self.conf.path("security/gatehouse-cert.pem")) as f:
            self.assertEqual(first, f.read())

    def test_gateway_profile_opens_only_gateway_ports(self):
        self.srv = ghtest.Server(self.conf, profile="gateway")
        self.srv.wait_ready(8280)
        status, _, body = ghtest.http("GET", self.srv.url(8280, "/health"))
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["roles"], ["gateway"])
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", self.srv.port(9763)), timeout=1).close()

    def test_port_in_use_is_a_clear_startup_error(self):
        blocker = socket.socket()
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", 9763 + self.conf.offset))
        blocker.listen(1)
        try:
            rc, out, err = ghtest.run_cli("--conf", self.conf.dir, "--bind", "127.0.0.1", timeout=60)
            self.assertEqual(rc, 1)
            self.assertIn("%d" % (9763 + self.conf.offset), err)
        finally:
            blocker.close()

    def test_health_is_503_when_a_datasource_is_down(self):
        # nothing listens on port 1: the pool cannot connect, the server still starts and says why
        self.conf.set_datasource_url("WSO2AM_DB", "jdbc:postgresql://127.0.0.1:1/nope", "u", "p",
                                     "org.postgresql.Driver")
        self.srv = ghtest.Server(self.conf, profile="gateway")
        self.srv.wait_ready(8280)
        status, _, body = ghtest.http("GET", self.srv.url(8280, "/health"))
        self.assertEqual(status, 503)
        doc = json.loads(body)
        self.assertEqual(doc["status"], "DOWN")
        ds = [d for d in doc["datasources"] if d["name"] == "WSO2AM_DB"][0]
        self.assertEqual(ds["status"], "DOWN")
        self.assertIn("127.0.0.1", ds["error"])

    def test_bad_profile(self):
        rc, out, err = ghtest.run_cli("--conf", self.conf.dir, "--profile", "gateway,nope")
        self.assertEqual(rc, 2)
        self.assertIn("unknown profile 'nope'", err)


if __name__ == "__main__":
    ghtest.main()
