#!/usr/bin/python3
"""Loads every dbscript of each dialect into SQLite, PostgreSQL (gatehouse2) and MariaDB (gatehouse2) with the
command-line clients, reads the three catalogues back and asserts they define the same tables, columns (name,
type class, nullability), primary keys and named indexes / unique constraints; then runs every script a second
time and asserts nothing changed (catalogue and seed rows).

usage: test_schema_catalog.py DBSCRIPTS_DIR
Needs GH_TEST_PG_URL2, GH_TEST_MYSQL_URL2, GH_TEST_DB_USER, GH_TEST_DB_PASSWORD (tests/support/dbservers.sh);
without them it skips (exit 77), or fails when GH_TEST_REQUIRE_DBS=1.
"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

COMPONENTS = ['registry', 'um', 'identity', 'apimgt']
SEEDS = {'AM_POLICY_APPLICATION': 4, 'AM_POLICY_SUBSCRIPTION': 5, 'AM_API_THROTTLE_POLICY': 4, 'IDN_BASE_TABLE': 1}
EXPECTED_TABLES = set("""
REG_PATH REG_CONTENT REG_RESOURCE REG_PROPERTY REG_RESOURCE_PROPERTY REG_TAG REG_RESOURCE_TAG REG_LOG
UM_TENANT UM_DOMAIN UM_USER UM_ROLE UM_MODULE UM_MODULE_ACTIONS UM_PERMISSION UM_ROLE_PERMISSION UM_USER_PERMISSION
UM_USER_ROLE UM_SHARED_USER_ROLE UM_ACCOUNT_MAPPING UM_USER_ATTRIBUTE UM_DIALECT UM_CLAIM UM_PROFILE_CONFIG
UM_CLAIM_BEHAVIOR UM_HYBRID_ROLE UM_HYBRID_USER_ROLE UM_SYSTEM_ROLE UM_SYSTEM_USER_ROLE UM_HYBRID_REMEMBER_ME
UM_SYSTEM_USER
IDN_BASE_TABLE IDN_OAUTH_CONSUMER_APPS IDN_OAUTH2_SCOPE_VALIDATORS IDN_OAUTH2_ACCESS_TOKEN
IDN_OAUTH2_ACCESS_TOKEN_AUDIT IDN_OAUTH2_AUTHORIZATION_CODE IDN_OAUTH2_ACCESS_TOKEN_SCOPE IDN_OAUTH2_SCOPE
IDN_OAUTH2_SCOPE_BINDING IDN_OAUTH2_RESOURCE_SCOPE IDN_SCIM_GROUP IDN_OIDC_JTI
AM_SUBSCRIBER AM_APPLICATION AM_API AM_API_URL_MAPPING AM_SUBSCRIPTION AM_SUBSCRIPTION_KEY_MAPPING
AM_APPLICATION_KEY_MAPPING AM_APPLICATION_REGISTRATION AM_API_LC_EVENT AM_APP_KEY_DOMAIN_MAPPING AM_API_COMMENTS
AM_API_RATINGS AM_TIER_PERMISSIONS AM_API_SCOPES AM_API_DEFAULT_VERSION AM_POLICY_SUBSCRIPTION
AM_POLICY_APPLICATION AM_POLICY_HARD_THROTTLING AM_API_THROTTLE_POLICY AM_CONDITION_GROUP
AM_QUERY_PARAMETER_CONDITION AM_HEADER_FIELD_CONDITION AM_JWT_CLAIM_CONDITION AM_IP_CONDITION AM_POLICY_GLOBAL
AM_THROTTLE_TIER_PERMISSIONS AM_BLOCK_CONDITIONS AM_APPLICATION_ATTRIBUTES AM_APPLICATION_GROUP_MAPPING AM_WORKFLOWS
GH_API GH_EVENT GH_THROTTLE_COUNTER
""".split())

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def scripts(root, dialect):
    out = []
    for comp in COMPONENTS:
        files = sorted(f for f in os.listdir(os.path.join(root, dialect)) if re.match(r'%s-\d{4}\.sql$' % comp, f))
        out += [os.path.join(root, dialect, f) for f in files]
    return out


def type_class(t):
    t = t.lower()
    if any(k in t for k in ('char', 'text')):
        return 'text'
    if any(k in t for k in ('timestamp', 'datetime')):
        return 'time'
    if any(k in t for k in ('blob', 'bytea')):
        return 'blob'
    if any(k in t for k in ('int', 'boolean', 'bool')):
        return 'int'  # booleans are INTEGER in SQLite and TINYINT(1) in MySQL
    return 'other:' + t


def run(cmd, env=None, stdin=None):
    p = subprocess.run(cmd, env=env, stdin=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError('%s failed: %s' % (cmd[0], p.stderr.strip()))
    return p.stdout


def parse_jdbc(url):
    m = re.match(r'jdbc:(postgresql|mysql|mariadb)://([^:/]+)(?::(\d+))?/([^?;]+)', url)
    if not m:
        raise SystemExit('cannot parse JDBC URL ' + url)
    return m.group(2), m.group(3), m.group(4)


class Sqlite:
    name = 'sqlite'

    def __init__(self, path):
        self.path = path

    def reset(self):
        if os.path.exists(self.path):
            os.unlink(self.path)

    def load(self, f):
        run(['sqlite3', '-bail', self.path, '.read ' + f])

    def count(self, table):
        with sqlite3.connect(self.path) as c:
            return c.execute('SELECT COUNT(*) FROM ' + table).fetchone()[0]

    def catalog(self):
        cat = {}
        c = sqlite3.connect(self.path)
        for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"):
            info = c.execute('PRAGMA table_info("%s")' % t).fetchall()
            cols = {r[1].lower(): (type_class(r[2]), 'NO' if (r[3] or r[5]) else 'YES') for r in info}
            pk = tuple(r[1].lower() for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
            idx = set()
            for _, iname, uniq, origin, _ in c.execute('PRAGMA index_list("%s")' % t).fetchall():
                icols = tuple(r[2].lower() for r in c.execute('PRAGMA index_info("%s")' % iname).fetchall())
                if origin == 'pk':
                    continue
                if origin == 'u' and len(pk) == 1 and pk[0] in icols:
                    pk = icols  # the UNIQUE(id, tenant) that stands for a composite auto-increment key
                    continue
                idx.add((iname.lower() if origin == 'c' else None, bool(uniq), icols))
            cat[t.upper()] = (cols, pk, idx)
        c.close()
        return cat


class Postgres:
    name = 'postgresql'

    def __init__(self, url, user, pw):
        self.host, self.port, self.db = parse_jdbc(url)
        self.env = dict(os.environ, PGPASSWORD=pw, PGCONNECT_TIMEOUT='5')
        self.base = ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', self.host, '-p', self.port or '5432',
                     '-U', user, '-d', self.db]

    def sql(self, q):
        rows = run(self.base + ['-At', '-F', '\t', '-c', q], env=self.env).splitlines()
        return [r.split('\t') for r in rows if r]

    def reset(self):
        run(self.base + ['-c', 'DROP SCHEMA IF EXISTS public CASCADE', '-c', 'CREATE SCHEMA public'], env=self.env)

    def load(self, f):
        run(self.base + ['-f', f], env=self.env)

    def count(self, table):
        return int(self.sql('SELECT COUNT(*) FROM ' + table)[0][0])

    def catalog(self):
        cat = {}
        for t, c, dt, nullable in self.sql("SELECT table_name, column_name, data_type, is_nullable FROM "
                                           "information_schema.columns WHERE table_schema = 'public'"):
            cat.setdefault(t.upper(), ({}, (), set()))[0][c.lower()] = (type_class(dt), nullable)
        q = ("SELECT t.relname, i.relname, x.indisunique, x.indisprimary, con.contype IS NOT NULL, "
             " array_to_string(ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(n, o) "
             "  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.o), ',') "
             "FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid "
             "JOIN pg_namespace n ON n.oid = t.relnamespace LEFT JOIN pg_constraint con ON con.conindid = i.oid "
             "WHERE n.nspname = 'public'")
        for t, iname, uniq, prim, is_con, cols in self.sql(q):
            cols_t = tuple(cols.lower().split(','))
            entry = cat[t.upper()]
            if prim == 't':
                cat[t.upper()] = (entry[0], cols_t, entry[2])
                continue
            # an anonymous UNIQUE gets PostgreSQL's <table>_<cols>_key name
            auto = is_con == 't' and iname.startswith(t.lower()[:20]) and re.search(r'_key\d*$', iname)
            entry[2].add((None if auto else iname.lower(), uniq == 't', cols_t))
        return cat


class Mysql:
    name = 'mysql'

    def __init__(self, url, user, pw):
        self.host, self.port, self.db = parse_jdbc(url)
        self.env = dict(os.environ, MYSQL_PWD=pw)
        self.base = ['mariadb', '--no-defaults', '--connect-timeout=5', '-h', self.host, '-P', self.port or '3306',
                     '-u', user, self.db]

    def sql(self, q):
        return [r.split('\t') for r in run(self.base + ['-N', '-B', '-e', q], env=self.env).splitlines() if r]

    def reset(self):
        tables = [r[0] for r in self.sql('SHOW TABLES')]
        if tables:
            self.sql('SET FOREIGN_KEY_CHECKS = 0; DROP TABLE %s;' % ', '.join('`%s`' % t for t in tables))

    def load(self, f):
        with open(f) as fh:
            run(self.base, env=self.env, stdin=fh)

    def count(self, table):
        return int(self.sql('SELECT COUNT(*) FROM ' + table)[0][0])

    def catalog(self):
        cat = {}
        for t, c, ct, nullable in self.sql("SELECT table_name, column_name, column_type, is_nullable FROM "
                                           "information_schema.columns WHERE table_schema = DATABASE()"):
            cat.setdefault(t.upper(), ({}, (), set()))[0][c.lower()] = (type_class(ct), nullable)
        fk_names = {r[0].lower() for r in self.sql(
            "SELECT constraint_name FROM information_schema.table_constraints WHERE table_schema = DATABASE() "
            "AND constraint_type = 'FOREIGN KEY'")}
        idx = {}
        for t, iname, non_unique, seq, col in self.sql(
                "SELECT table_name, index_name, non_unique, seq_in_index, column_name FROM "
                "information_schema.statistics WHERE table_schema = DATABASE() ORDER BY table_name, index_name, "
                "seq_in_index"):
            idx.setdefault((t.upper(), iname), [non_unique == '0', []])[1].append(col.lower())
        for (t, iname), (uniq, cols) in idx.items():
            entry = cat[t]
            if iname == 'PRIMARY':
                cat[t] = (entry[0], tuple(cols), entry[2])
                continue
            # MySQL names an anonymous UNIQUE after its first column, and adds indexes for foreign keys
            base = re.sub(r'_\d+$', '', iname.lower())
            auto = base in entry[0] or iname.lower() in fk_names
            if auto and not uniq:
                continue
            entry[2].add((None if auto else iname.lower(), uniq, tuple(cols)))
        return cat


def compare(ref_name, ref, name, other):
    check(set(ref) == set(other), '%s vs %s: tables differ: only in %s %s, only in %s %s' % (
        ref_name, name, ref_name, sorted(set(ref) - set(other)), name, sorted(set(other) - set(ref))))
    for t in sorted(set(ref) & set(other)):
        (c1, pk1, i1), (c2, pk2, i2) = ref[t], other[t]
        check(c1 == c2, '%s: columns differ between %s and %s: %s' % (
            t, ref_name, name, sorted(set(c1.items()) ^ set(c2.items()))))
        check(pk1 == pk2, '%s: primary key %s in %s, %s in %s' % (t, pk1, ref_name, pk2, name))
        check(i1 == i2, '%s: indexes/unique constraints differ: only in %s %s, only in %s %s' % (
            t, ref_name, sorted(i1 - i2, key=str), name, sorted(i2 - i1, key=str)))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'dbscripts')
    env = os.environ
    need = ['GH_TEST_PG_URL2', 'GH_TEST_MYSQL_URL2', 'GH_TEST_DB_USER', 'GH_TEST_DB_PASSWORD']
    missing = [k for k in need if not env.get(k)]
    if missing:
        msg = 'test databases not configured (%s unset; see tests/support/dbservers.sh)' % ', '.join(missing)
        if env.get('GH_TEST_REQUIRE_DBS') == '1':
            print('FAIL: ' + msg)
            return 1
        print('SKIP: ' + msg)
        return 77
    tmp = tempfile.mkdtemp(prefix='gh-schema-cat-')
    dbs = [Sqlite(os.path.join(tmp, 'catalog.db')),
           Postgres(env['GH_TEST_PG_URL2'], env['GH_TEST_DB_USER'], env['GH_TEST_DB_PASSWORD']),
           Mysql(env['GH_TEST_MYSQL_URL2'], env['GH_TEST_DB_USER'], env['GH_TEST_DB_PASSWORD'])]
    cats = {}
    try:
        for db in dbs:
            db.reset()
            files = scripts(root, db.name)
            check(len(files) >= len(COMPONENTS), '%s: only %d scripts found' % (db.name, len(files)))
            for f in files:
                db.load(f)
            cats[db.name] = db.catalog()
            for t, n in SEEDS.items():
                check(db.count(t) == n, '%s: %s has %d seed rows, expected %d' % (db.name, t, db.count(t), n))
            for f in files:  # a second run must change nothing
                db.load(f)
            again = db.catalog()
            check(again == cats[db.name], '%s: running the scripts twice changed the catalogue' % db.name)
            for t, n in SEEDS.items():
                check(db.count(t) == n, '%s: after a re-run %s has %d rows, expected %d' % (db.name, t, db.count(t), n))
    except RuntimeError as e:
        if env.get('GH_TEST_REQUIRE_DBS') != '1' and 'connect' in str(e).lower():
            print('SKIP: ' + str(e))
            return 77
        print('FAIL: ' + str(e))
        return 1
    finally:
        dbs[0].reset()
        os.rmdir(tmp)
    for name, cat in cats.items():
        check(EXPECTED_TABLES <= set(cat), '%s: missing tables %s' % (name, sorted(EXPECTED_TABLES - set(cat))))
        check(set(cat) <= EXPECTED_TABLES, '%s: unexpected tables %s' % (name, sorted(set(cat) - EXPECTED_TABLES)))
    compare('postgresql', cats['postgresql'], 'mysql', cats['mysql'])
    compare('postgresql', cats['postgresql'], 'sqlite', cats['sqlite'])
    n_idx = sum(len(v[2]) for v in cats['postgresql'].values())
    for f in failures:
        print('FAIL: ' + f)
    if failures:
        return 1
    print('ok: %d tables, %d named indexes/unique constraints identical in sqlite, postgresql and mysql; '
          'a second run changed nothing' % (len(cats['postgresql']), n_idx))
    return 0


if __name__ == '__main__':
    sys.exit(main())
