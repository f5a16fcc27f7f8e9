"""Helpers for end-to-end tests: a conf tree per test, the real gatehouse binary, free ports, HTTP calls.

Tests run under /usr/bin/python3 (Debian's authlib, PyJWT, requests). The binary and source tree come from
the environment that ctest sets: GH_BIN, GH_SOURCE_DIR."""
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

BIN = os.environ.get("GH_BIN", "build/apps/gatehouse/gatehouse")
SRC = os.environ.get("GH_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
PORTS = (9443, 9763, 8243, 8280)


# Ports Chromium refuses to load (net/base/port_util.cc's restricted list, those reachable as base + offset here):
# an offset landing on one makes the browser tests see an empty page (ERR_UNSAFE_PORT).
BROWSER_UNSAFE_PORTS = {10080}


def ports_free(offset):
    if any(p + offset in BROWSER_UNSAFE_PORTS for p in PORTS):
        return False
    for p in PORTS:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", p + offset))
            except OSError:
                return False
    return True


def free_offset(preferred=None):
    """A port offset whose four ports are all free (WSO2 style: every port moves together)."""
    if preferred is not None and ports_free(preferred):
        return preferred
    for off in range(100 + os.getpid() % 300, 1000, 7):
        if ports_free(off):
            return off
    raise RuntimeError("no free port offset")


class ConfTree:
    """A copy of the project's default conf/ in a temp dir, with edits applied by regex."""

    def __init__(self, offset=0):
        self.home = tempfile.mkdtemp(prefix="gh-e2e-")
        self.dir = os.path.join(self.home, "repository", "conf")
        shutil.copytree(os.path.join(SRC, "conf"), self.dir,
                        ignore=shutil.ignore_patterns("security", "*.pem", "examples"))
        self.set_offset(offset)

    def path(self, rel):
        return os.path.join(self.dir, rel)

    def edit(self, rel, pattern, repl, count=1):
        p = self.path(rel)
        with open(p) as f:
            s = f.read()
        s2, n = re.subn(pattern, repl, s, count=count, flags=re.S)
        if n == 0:
            raise AssertionError("pattern %r not found in %s" % (pattern, rel))
        with open(p, "w") as f:
            f.write(s2)

    def write(self, rel, text):
        os.makedirs(os.path.dirname(self.path(rel)), exist_ok=True)
        with open(self.path(rel), "w") as f:
            f.write(text)

    def set_offset(self, offset):
        self.offset = offset
        self.edit("carbon.xml", r"<Offset>\s*\d+\s*</Offset>", "<Offset>%d</Offset>" % offset)

    def set_datasource_url(self, name, url, user=None, password=None, driver=None):
        """Point datasource <name> at url (and credentials)."""
        block = r"(<name>%s</name>.*?<url>)[^<]*(</url>)" % re.escape(name)
        self.edit("datasources/master-datasources.xml", block, r"\g<1>%s\g<2>" % url)
        for tag, val in (("username", user), ("password", password), ("driverClassName", driver)):
            if val is not None:
                self.edit("datasources/master-datasources.xml",
                          r"(<name>%s</name>.*?<%s>)[^<]*(</%s>)" % (re.escape(name), tag, tag),
                          r"\g<1>%s\g<2>" % val)

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


class Server:
    """The real binary, started on a conf tree; stderr goes to a log file the test can read."""

    def __init__(self, conf, profile="all", args=(), workers=2):
        self.conf = conf
        self.log_path = os.path.join(conf.home, "gatehouse.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BIN, "--conf", conf.dir, "--profile", profile, "--workers", str(workers),
                                      "--bind", "127.0.0.1"] + list(args) +
                                     os.environ.get("GH_TEST_SERVER_ARGS", "").split(),
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def port(self, base):
        return base + self.conf.offset

    def url(self, base, path="/", tls=None):
        tls = base in (9443, 8243) if tls is None else tls
        return "%s://localhost:%d%s" % ("https" if tls else "http", self.port(base), path)

    def wait_ready(self, base=9763, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("gatehouse exited with %d:\n%s" % (self.proc.returncode, self.output()))
            try:
                with socket.create_connection(("127.0.0.1", self.port(base)), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gatehouse did not listen on %d within %ds:\n%s" % (self.port(base), timeout,
                                                                                 self.output()))

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("gatehouse did not stop within %ds:\n%s" % (timeout, self.output()))
        self.log.close()
        return self.proc.returncode


def tls_context(conf):
    """Trust exactly the certificate the server generated beside its conf."""
    ctx = ssl.create_default_context(cafile=os.path.join(conf.dir, "security", "gatehouse-cert.pem"))
    return ctx


def http(method, url, body=None, headers=None, ctx=None, timeout=30):
    """Returns (status, headers, body bytes) without raising on HTTP errors."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def run_cli(*args, timeout=120, stdin=None):
    p = subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=timeout, input=stdin)
    return p.returncode, p.stdout, p.stderr


def db_targets():
    """The databases this run can use: sqlite always; postgresql and mysql when make test started them."""
    out = [("sqlite", None)]
    for name, var in (("postgresql", "GH_TEST_PG_URL"), ("mysql", "GH_TEST_MYSQL_URL")):
        if os.environ.get(var):
            out.append((name, os.environ[var]))
        elif os.environ.get("GH_TEST_REQUIRE_DBS") == "1":
            raise RuntimeError("%s is not set but GH_TEST_REQUIRE_DBS=1" % var)
    return out


class PerDatabase:
    """Mixin for suites that run once per database: test_sqlite / test_postgresql / test_mysql each call
    self.run_for(kind, base_url) (base_url None for SQLite). Servers that make test did not start are skipped,
    or fail under GH_TEST_REQUIRE_DBS=1 (db_targets)."""
    kinds = ("sqlite", "postgresql", "mysql")

    def _run_on(self, kind):
        if kind not in self.kinds:
            self.skipTest("this suite does not run on %s" % kind)
        targets = dict(db_targets())
        if kind not in targets:
            self.skipTest("no %s server (GH_TEST_PG_URL / GH_TEST_MYSQL_URL)" % kind)
        self.run_for(kind, targets[kind])

    def test_sqlite(self):
        self._run_on("sqlite")

    def test_postgresql(self):
        self._run_on("postgresql")

    def test_mysql(self):
        self._run_on("mysql")


def main():
    unittest.main(verbosity=2)


# --- databases through their command-line clients (independent of the code under test) ---

def _parse_jdbc(url):
    m = re.match(r"jdbc:(postgresql|mysql|mariadb)://([^:/]+)(?::(\d+))?/([^?]+)", url)
    if not m:
        raise ValueError(url)
    return m.group(1), m.group(2), m.group(3), m.group(4)


def _creds():
    return os.environ.get("GH_TEST_DB_USER", "gatehouse"), os.environ.get("GH_TEST_DB_PASSWORD", "gatehouse")


def sql(url, query, sqlite_path=None):
    """Run query; return rows as lists of strings. url is a JDBC URL, or None with sqlite_path."""
    if url is None:
        out = subprocess.run(["sqlite3", "-batch", "-separator", "\t", sqlite_path, query], capture_output=True,
                             text=True, check=True).stdout
    else:
        kind, host, port, db = _parse_jdbc(url)
        user, pw = _creds()
        if kind == "postgresql":
            out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-h", host,
                                  "-p", port or "5432", "-U", user, "-d", db, "-c", query],
                                 capture_output=True, text=True, check=True,
                                 env=dict(os.environ, PGPASSWORD=pw)).stdout
        else:
            out = subprocess.run(["mariadb", "--no-defaults", "-N", "-B", "-h", host, "-P", port or "3306",
                                  "-u" + user, "-p" + pw, db, "-e", query],
                                 capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line != ""]


def fresh_database(kind, base_url, name):
    """Create (or re-create) database `name` on the server of base_url; return its JDBC URL."""
    k, host, port, db = _parse_jdbc(base_url)
    if kind == "postgresql":
        sql(base_url, "DROP DATABASE IF EXISTS %s" % name)
        sql(base_url, "CREATE DATABASE %s" % name)
        return "jdbc:postgresql://%s:%s/%s" % (host, port, name)
    sql(base_url, "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s CHARACTER SET utf8mb4" % (name, name))
    return "jdbc:mysql://%s:%s/%s" % (host, port, name)


def tables(url, sqlite_path=None):
    """Upper-cased table names of the database."""
    if url is None:
        rows = sql(None, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'",
                   sqlite_path)
    elif url.startswith("jdbc:postgresql"):
        rows = sql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema='public'")
    else:
        rows = sql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema=DATABASE()")
    return sorted(r[0].upper() for r in rows)


def point_all_datasources(conf, kind, url):
    """Point the realm, registry and API-manager datasources at one server database."""
    user, pw = _creds()
    driver = {"postgresql": "org.postgresql.Driver", "mysql": "com.mysql.jdbc.Driver"}[kind]
    for name in ("WSO2_CARBON_DB", "WSO2AM_DB"):
        conf.set_datasource_url(name, url, user, pw, driver)
