"""Debian's glewlwyd (a C OAuth2/OIDC server) as the side-by-side baseline: a throw-away SQLite database from
its own init script, a config on a free loopback port, an admin login, an OIDC plugin instance (RS256 key),
a confidential client with client_credentials, then wrk on /api/oidc/token and /api/oidc/introspect."""
import gzip
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import requests

INIT = "/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz"
HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_conf(d, port):
    with open("/etc/glewlwyd/glewlwyd.conf") as f:
        conf = f.read()
    conf = conf.replace("port=4593", "port=%d" % port)
    conf = conf.replace('external_url="http://localhost:4593/"', 'external_url="http://localhost:%d/"' % port)
    conf = conf.replace('log_file="/var/log/glewlwyd.log"', 'log_file="%s/glewlwyd.log"' % d)
    conf = conf.replace('@include "/etc/glewlwyd/glewlwyd-db.conf"',
                        'database =\n{\n  type = "sqlite3"\n  path = "%s/glewlwyd.db"\n};' % d)
    path = os.path.join(d, "glewlwyd.conf")
    with open(path, "w") as f:
        f.write(conf)
    return path


def rsa_jwk():
    import base64
    from cryptography.hazmat.primitives.asymmetric import rsa

    def b64(n):
        return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()

    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pr, pu = k.private_numbers(), k.public_key().public_numbers()
    return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "bench", "n": b64(pu.n), "e": b64(pu.e),
            "d": b64(pr.d), "p": b64(pr.p), "q": b64(pr.q), "dp": b64(pr.dmp1), "dq": b64(pr.dmq1), "qi": b64(pr.iqmp)}


def plugin_params(base):
    return {"jwks-private": json.dumps({"keys": [rsa_jwk()]}), "default-kid": "bench",
            "jwt-type": "rsa", "jwt-key-size": "256", "key": "", "cert": "", "iss": base,
            "access-token-duration": 3600, "refresh-token-duration": 1209600, "code-duration": 600,
            "refresh-token-rolling": True, "allow-non-oidc": True, "auth-type-code-enabled": True,
            "auth-type-client-enabled": True, "auth-type-refresh-enabled": True, "auth-type-password-enabled": False,
            "auth-type-token-enabled": False, "auth-type-id-token-enabled": True, "auth-type-none-enabled": False,
            "auth-type-device-enabled": False, "scope": [], "additional-parameters": [], "pkce-allowed": False,
            "introspection-revocation-allowed": True, "introspection-revocation-allow-target-client": True,
            "introspection-revocation-auth-scope": [], "register-client-allowed": False,
            "session-management-allowed": False, "subject-type": "public", "request-parameter-allow": False,
            "claims": [], "name-claim": "on-demand", "email-claim": "no", "scope-claim": "no"}


def setup(base):
    s = requests.Session()
    r = s.post(base + "/api/auth/", json={"username": "admin", "password": "password"}, timeout=10)
    r.raise_for_status()
    r = s.post(base + "/api/mod/plugin/", json={"module": "oidc", "name": "oidc", "display_name": "oidc",
                                               "parameters": plugin_params(base), "order_rank": 0}, timeout=30)
    if r.status_code != 200:
        raise RuntimeError("creating the OIDC plugin failed: %d %s" % (r.status_code, r.text[:300]))
    r = s.post(base + "/api/scope/", json={"name": "bench_scope", "display_name": "bench", "description": "bench",
                                          "password_required": False}, timeout=10)
    r.raise_for_status()
    r = s.post(base + "/api/client/", json={"client_id": "bench", "name": "bench", "confidential": True,
                                           "password": "bench-secret-123", "client_secret": "bench-secret-123",
                                           "token_endpoint_auth_method": ["client_secret_basic"], "enabled": True,
                                           "authorization_type": ["client_credentials"], "scope": ["bench_scope"],
                                           "redirect_uri": []}, timeout=10)
    r.raise_for_status()


def run(seconds, wrk):
    if shutil.which("glewlwyd") is None:
        return {"error": "glewlwyd is not installed (apt-get install glewlwyd)"}
    d = tempfile.mkdtemp(prefix="gh-glewlwyd-")
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    proc = None
    try:
        with gzip.open(INIT, "rt") as f:
            subprocess.run(["sqlite3", os.path.join(d, "glewlwyd.db")], input=f.read(), text=True, check=True,
                           capture_output=True)
        subprocess.run(["sqlite3", os.path.join(d, "glewlwyd.db"), "PRAGMA journal_mode=WAL;"], check=True,
                       capture_output=True)
        proc = subprocess.Popen(["glewlwyd", "-c", write_conf(d, port)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                requests.get(base + "/api/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        setup(base)
        auth = "Basic " + __import__("base64").b64encode(b"bench:bench-secret-123").decode()
        r = requests.post(base + "/api/oidc/token", data={"grant_type": "client_credentials", "scope": "bench_scope"},
                          headers={"Authorization": auth}, timeout=10)
        if r.status_code != 200:
            raise RuntimeError("glewlwyd token endpoint answered %d %s" % (r.status_code, r.text[:200]))
        token = r.json()["access_token"]
        body = "grant_type=client_credentials&scope=bench_scope"
        wrk(base + "/api/oidc/token", "cc.lua", {"AUTH": auth, "BODY": body}, 2)
        cc = wrk(base + "/api/oidc/token", "cc.lua", {"AUTH": auth, "BODY": body}, seconds)
        intro = wrk(base + "/api/oidc/introspect", "introspect.lua", {"AUTH": auth, "TOKEN": token}, seconds)
        return {"client_credentials": cc, "introspection": intro, "database": "sqlite (WAL)"}
    except Exception as e:  # report why instead of hiding the Gatehouse figures
        log = ""
        if os.path.exists(os.path.join(d, "glewlwyd.log")):
            with open(os.path.join(d, "glewlwyd.log")) as f:
                log = f.read()[-800:]
        return {"error": "%s: %s\n%s" % (type(e).__name__, e, log)}
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(d, ignore_errors=True)
