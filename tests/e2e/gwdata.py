"""Test data for the gateway, written straight into the API tables (AM_* and GH_API) of SQLite, PostgreSQL or
MariaDB, in the shape dbscripts/*/apimgt-0003.sql and the portals use. Every function takes `db`, an object
with .sql(query) (km_flows.KmServer): when the Publisher/Store REST APIs land, these functions are the one
place to switch to REST calls."""
import uuid


def q(v):
    """SQL literal (test data only: the values are the tests' own constants)."""
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def one(db, query):
    rows = db.sql(query)
    return rows[0][0] if rows else None


def subscriber(db, user="admin"):
    sid = one(db, "SELECT SUBSCRIBER_ID FROM AM_SUBSCRIBER WHERE USER_ID = %s AND TENANT_ID = -1234" % q(user))
    if sid is None:
        db.sql("INSERT INTO AM_SUBSCRIBER (USER_ID, TENANT_ID, DATE_SUBSCRIBED) VALUES (%s, -1234, CURRENT_TIMESTAMP)"
               % q(user))
        sid = one(db, "SELECT SUBSCRIBER_ID FROM AM_SUBSCRIBER WHERE USER_ID = %s AND TENANT_ID = -1234" % q(user))
    return int(sid)


def api(db, name, version, context, production_url, sandbox_url=None, status="PUBLISHED", provider="admin",
        resources=(("GET", "/*", "Any", "Unlimited"), ("POST", "/*", "Any", "Unlimited")), transports="http,https",
        default=True, api_tier=None, cors=None, endpoint_config=None):
    """An API at /{context}/{version}; returns its API_ID."""
    full = "/%s/%s" % (context.strip("/"), version)
    db.sql("INSERT INTO AM_API (API_PROVIDER, API_NAME, API_VERSION, CONTEXT, CONTEXT_TEMPLATE, API_TIER, CREATED_TIME) "
           "VALUES (%s, %s, %s, %s, %s, %s, CURRENT_TIMESTAMP)"
           % (q(provider), q(name), q(version), q(full), q("/%s/{version}" % context.strip("/")), q(api_tier)))
    api_id = int(one(db, "SELECT API_ID FROM AM_API WHERE API_NAME = %s AND API_VERSION = %s" % (q(name), q(version))))
    db.sql("INSERT INTO GH_API (API_ID, UUID, STATUS, TRANSPORTS, IS_DEFAULT_VERSION, PRODUCTION_URL, SANDBOX_URL, "
           "CORS_CONFIG, ENDPOINT_CONFIG) VALUES (%d, %s, %s, %s, %d, %s, %s, %s, %s)"
           % (api_id, q(str(uuid.uuid4())), q(status), q(transports), 1 if default else 0, q(production_url),
              q(sandbox_url), q(cors), q(endpoint_config)))
    for verb, pattern, auth, tier in resources:
        db.sql("INSERT INTO AM_API_URL_MAPPING (API_ID, HTTP_METHOD, AUTH_SCHEME, URL_PATTERN, THROTTLING_TIER) "
               "VALUES (%d, %s, %s, %s, %s)" % (api_id, q(verb), q(auth), q(pattern), q(tier)))
    return api_id


def set_api_status(db, api_id, status):
    db.sql("UPDATE GH_API SET STATUS = %s, REVISION = REVISION + 1 WHERE API_ID = %d" % (q(status), api_id))


def application(db, name, owner="admin", tier="Unlimited"):
    sid = subscriber(db, owner)
    db.sql("INSERT INTO AM_APPLICATION (NAME, SUBSCRIBER_ID, APPLICATION_TIER, APPLICATION_STATUS, UUID, "
           "CREATED_TIME) VALUES (%s, %d, %s, 'APPROVED', %s, CURRENT_TIMESTAMP)"
           % (q(name), sid, q(tier), q(str(uuid.uuid4()))))
    return int(one(db, "SELECT APPLICATION_ID FROM AM_APPLICATION WHERE NAME = %s AND SUBSCRIBER_ID = %d"
                   % (q(name), sid)))


def keys(db, app_id, consumer_key, key_type="PRODUCTION"):
    db.sql("INSERT INTO AM_APPLICATION_KEY_MAPPING (APPLICATION_ID, CONSUMER_KEY, KEY_TYPE, STATE) "
           "VALUES (%d, %s, %s, 'COMPLETED')" % (app_id, q(consumer_key), q(key_type)))


def subscribe(db, app_id, api_id, tier="Unlimited", status="UNBLOCKED"):
    db.sql("INSERT INTO AM_SUBSCRIPTION (TIER_ID, API_ID, APPLICATION_ID, SUB_STATUS, UUID, CREATED_TIME) "
           "VALUES (%s, %d, %d, %s, %s, CURRENT_TIMESTAMP)" % (q(tier), api_id, app_id, q(status), q(str(uuid.uuid4()))))


def subscription_policy(db, name, count, unit="min", spike=0, spike_unit="min"):
    """A request-count subscription tier; spike > 0 adds burst control (RATE_LIMIT_COUNT per spike_unit)."""
    db.sql("INSERT INTO AM_POLICY_SUBSCRIPTION (NAME, DISPLAY_NAME, TENANT_ID, QUOTA_TYPE, QUOTA, UNIT_TIME, TIME_UNIT, "
           "RATE_LIMIT_COUNT, RATE_LIMIT_TIME_UNIT, IS_DEPLOYED, STOP_ON_QUOTA_REACH, BILLING_PLAN, UUID) VALUES "
           "(%s, %s, -1234, 'requestCount', %d, 1, %s, %d, %s, TRUE, TRUE, 'FREE', %s)"
           % (q(name), q(name), count, q(unit), spike, q(spike_unit), q(str(uuid.uuid4()))))


def resource_scope(db, context_version, pattern, verb, scope):
    """A scope on one resource: IDN_OAUTH2_SCOPE + IDN_OAUTH2_RESOURCE_SCOPE ({context}/{version}{pattern}:{VERB})."""
    db.sql("INSERT INTO IDN_OAUTH2_SCOPE (NAME, DISPLAY_NAME, TENANT_ID) VALUES (%s, %s, -1234)" % (q(scope), q(scope)))
    sid = int(one(db, "SELECT SCOPE_ID FROM IDN_OAUTH2_SCOPE WHERE NAME = %s" % q(scope)))
    db.sql("INSERT INTO IDN_OAUTH2_RESOURCE_SCOPE (RESOURCE_PATH, SCOPE_ID, TENANT_ID) VALUES (%s, %d, -1234)"
           % (q("%s%s:%s" % (context_version, pattern, verb)), sid))


def set_subscription_status(db, app_id, api_id, status):
    db.sql("UPDATE AM_SUBSCRIPTION SET SUB_STATUS = %s WHERE APPLICATION_ID = %d AND API_ID = %d"
           % (q(status), app_id, api_id))
