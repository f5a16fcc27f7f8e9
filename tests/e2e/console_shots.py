"""Screenshots of the consoles for docs/img/, with sample data while the portals' REST APIs are not in the build.

    GH_BIN=build/apps/gatehouse/gatehouse /usr/bin/python3 tests/e2e/console_shots.py docs/img

Starts the server, and a small proxy in front of its management HTTP port that answers /api/am/* with the sample
lists below (what the v0.14 APIs return) and passes everything else through, rewriting the console's redirect URI
between the proxy's origin and the server's (the consoles' OAuth clients know only the server's). Once the
portals are merged, `GH_CONSOLE_SHOTS=docs/img` on test_consoles_browser.py takes real ones instead."""
import http.server
import json
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import ghtest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

APIS = {"count": 3, "list": [
    {"id": "4b7f6c52-1d55-4f0e-9d7d-2f0c7f0d8a11", "name": "contextName", "context": "/contextName", "version": "v1",
     "provider": "admin", "status": "PUBLISHED"},
    {"id": "a3c2a0f1-6a8e-43c9-9a0b-8f1c2f6b3c22", "name": "PizzaShackAPI", "context": "/pizzashack", "version": "1.0.0",
     "provider": "admin", "status": "PUBLISHED"},
    {"id": "0d9e2a77-53a4-4bd4-a1d0-5c6a3f3e9c33", "name": "Orders", "context": "/orders", "version": "2.1",
     "provider": "alice", "status": "CREATED"}]}
POLICIES = {"count": 4, "list": [
    {"policyId": "1", "policyName": "Gold", "displayName": "Gold", "description": "Allows 5000 requests per minute",
     "defaultLimit": {"type": "RequestCountLimit", "requestCount": 5000, "unitTime": 1, "timeUnit": "min"}},
    {"policyId": "2", "policyName": "Silver", "displayName": "Silver", "description": "Allows 2000 requests per minute",
     "defaultLimit": {"type": "RequestCountLimit", "requestCount": 2000, "unitTime": 1, "timeUnit": "min"}},
    {"policyId": "3", "policyName": "Bronze", "displayName": "Bronze", "description": "Allows 1000 requests per minute",
     "defaultLimit": {"type": "RequestCountLimit", "requestCount": 1000, "unitTime": 1, "timeUnit": "min"}},
    {"policyId": "4", "policyName": "Unlimited", "displayName": "Unlimited", "description": "Allows unlimited requests",
     "defaultLimit": {"type": "RequestCountLimit", "requestCount": 2147483647, "unitTime": 1, "timeUnit": "min"}}]}
SAMPLES = {
    "/api/am/publisher/v0.14/apis": APIS,
    "/api/am/store/v0.14/apis": {"count": 2, "list": APIS["list"][:2]},
    "/api/am/admin/v0.14/throttling/policies/subscription": POLICIES,
}


def proxy(server_origin, port):
    mine = "http://localhost:%d" % port

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def swap(self, s, a, b):
            return s.replace(a, b).replace(urllib.parse.quote(a, safe=""), urllib.parse.quote(b, safe=""))

        def relay(self):
            path = self.path.split("?")[0]
            if path.startswith("/api/am/"):
                body = json.dumps(SAMPLES.get(path, {"count": 0, "list": []})).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
            if data:
                data = self.swap(data.decode(), mine, server_origin).encode()
            req = urllib.request.Request(server_origin + self.swap(self.path, mine, server_origin), data=data,
                                         method=self.command)
            for k in ("Content-Type", "Cookie", "If-None-Match", "Authorization", "Accept"):
                if self.headers.get(k):
                    req.add_header(k, self.headers[k])

            class NoRedirect(urllib.request.HTTPRedirectHandler):
                def redirect_request(self, *a, **k):
                    return None
            try:
                r = urllib.request.build_opener(NoRedirect).open(req, timeout=30)
                status, headers, body = r.status, r.headers, r.read()
            except urllib.error.HTTPError as e:
                status, headers, body = e.code, e.headers, e.read()
            self.send_response(status)
            for k, v in headers.items():
                if k.lower() in ("content-length", "connection", "transfer-encoding", "date", "server"):
                    continue
                self.send_header(k, v.replace(server_origin, mine) if k.lower() == "location" else v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = relay

    import urllib.parse  # noqa: F401 (used by swap)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main(out_dir):
    conf = ghtest.ConfTree(offset=ghtest.free_offset())
    srv = ghtest.Server(conf)
    srv.wait_ready(9763)
    base = srv.url(9763, "")
    port = ghtest.free_offset() + 9000
    p = proxy(base, port)
    ghtest.http("POST", base + "/scim2/Users", json.dumps({
        "userName": "subscriber1", "password": "Subscriber-Pass1", "emails": [{"value": "subscriber1@example.com"}],
        "name": {"givenName": "Sub"}}).encode(), {"Content-Type": "application/scim+json",
                                                  "Authorization": "Basic YWRtaW46YWRtaW4="})
    opts = webdriver.ChromeOptions()
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--user-data-dir=" + tempfile.mkdtemp(prefix="gh-shots-")):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=opts)
    try:
        for console, ready, size in (("carbon", "user-results", (1200, 760)), ("publisher", "api-results", (1200, 760)),
                                     ("store", "api-results", (1200, 760)), ("admin", "policy-results", (1200, 760)),
                                     ("carbon", "user-results", (390, 844))):
            d.set_window_size(*size)
            d.delete_all_cookies()
            d.get("http://localhost:%d/%s/" % (port, console))
            w = WebDriverWait(d, 20)
            w.until(EC.element_to_be_clickable((By.ID, "sign-in"))).click()
            w.until(EC.presence_of_element_located((By.ID, "username"))).send_keys("admin")
            d.find_element(By.ID, "password").send_keys("admin")
            d.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
            w.until(EC.presence_of_element_located((By.ID, ready)))
            w.until(lambda drv: drv.find_element(By.ID, ready).text.strip())
            time.sleep(0.5)
            name = console + ("-phone" if size[0] < 500 else "")
            d.save_screenshot(os.path.join(out_dir, name + ".png"))
            print("saved", name)
    finally:
        d.quit()
        p.shutdown()
        srv.stop()
        conf.cleanup()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/img")
