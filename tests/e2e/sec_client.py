"""HTTP helpers for the security tests: raw control over headers, the source address (127.0.0.0/8 on Linux, so
each test can be its own anonymous client for the per-address login throttle) and the connection."""
import base64
import http.client
import json
import socket
import urllib.parse

JSON = "application/json"
SCIM = "application/scim+json"
FORM = "application/x-www-form-urlencoded"


def basic(user, password):
    """RFC 7617 Basic: the user's name and password as they are (not form-encoded)."""
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def client_basic(cid, secret):
    """RFC 6749 §2.3.1 client_secret_basic: both parts form-encoded first."""
    return basic(urllib.parse.quote(cid, safe=""), urllib.parse.quote(secret, safe=""))


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body) if self.body else None

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class Http:
    """One server's management (or gateway) HTTP port."""

    def __init__(self, port, host="127.0.0.1"):
        self.port, self.host = port, host

    def call(self, method, path, body=None, headers=None, auth=None, ctype=None, src=None):
        h = {}
        if auth is not None:
            h["Authorization"] = auth if isinstance(auth, str) else basic(*auth)
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            ctype = ctype or JSON
        if isinstance(body, str):
            body = body.encode()
        if ctype is not None:
            h["Content-Type"] = ctype
        h.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60,
                                          source_address=(src, 0) if src else None)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            hdrs = {}
            for k, v in r.getheaders():
                k = k.lower()
                hdrs[k] = hdrs[k] + "\n" + v if k in hdrs else v
            return Resp(r.status, hdrs, data)
        finally:
            conn.close()

    def raw(self, data, wait=1.0):
        """Send bytes as they are; return everything the server sends until it closes or goes quiet, and whether
        it closed the connection."""
        s = socket.create_connection((self.host, self.port), timeout=wait)
        out, closed = b"", False
        try:
            s.sendall(data)
            while True:
                try:
                    d = s.recv(65536)
                except socket.timeout:
                    break
                if not d:
                    closed = True
                    break
                out += d
        finally:
            s.close()
        return out, closed
