"""Screenshots of the consoles for docs/img/, with sample data while the portals' REST APIs are not in the build.

    GH_BIN=build/apps/gatehouse/gatehouse /usr/bin/python3 tests/e2e/console_shots.py docs/img

Starts the server and console_fake.FakeFront (seeded with three APIs) in front of it. Once the portals are merged,
`GH_CONSOLE_SHOTS=docs/img` on test_consoles_browser.py takes real ones instead."""
import json
import os
import socket
import sys
import tempfile
import time

import console_fake
import ghtest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

def main(out_dir):
    conf = ghtest.ConfTree(offset=ghtest.free_offset())
    srv = ghtest.Server(conf)
    srv.wait_ready(9763)
    base = srv.url(9763, "")
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    p = console_fake.FakeFront(base, port, seed=True)
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
