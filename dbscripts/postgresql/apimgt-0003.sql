-- Gatehouse schema: component `apimgt`, version 3, dialect postgresql (hand-written migration).
-- What WSO2 API Manager keeps in its registry (the API artifact) rather than in AM_API: one GH_API row per
-- AM_API row. The portals write it; the gateway reads it. Scopes use WSO2's own tables: IDN_OAUTH2_SCOPE (+
-- IDN_OAUTH2_SCOPE_BINDING for roles), AM_API_SCOPES (API -> scope) and IDN_OAUTH2_RESOURCE_SCOPE, whose
-- RESOURCE_PATH is `{context}/{version}{urlPattern}:{VERB}` as WSO2 writes it (e.g. /pizza/1.0.0/menu:GET).
-- Resources are AM_API_URL_MAPPING rows (HTTP_METHOD, AUTH_SCHEME Any|Application|Application_User|None,
-- URL_PATTERN, THROTTLING_TIER); lifecycle history is AM_API_LC_EVENT.

CREATE TABLE IF NOT EXISTS GH_API (
    API_ID INTEGER NOT NULL,
    UUID VARCHAR(36) NOT NULL,
    STATUS VARCHAR(20) NOT NULL DEFAULT 'CREATED',
    DESCRIPTION VARCHAR(2048),
    VISIBILITY VARCHAR(20) NOT NULL DEFAULT 'PUBLIC',
    VISIBLE_ROLES VARCHAR(1024),
    TAGS VARCHAR(1024),
    TRANSPORTS VARCHAR(20) NOT NULL DEFAULT 'http,https',
    TIERS VARCHAR(1024) NOT NULL DEFAULT 'Unlimited',
    IS_DEFAULT_VERSION INTEGER NOT NULL DEFAULT 0,
    PRODUCTION_URL VARCHAR(2048),
    SANDBOX_URL VARCHAR(2048),
    ENDPOINT_CONFIG TEXT,
    CORS_CONFIG TEXT,
    API_DEFINITION TEXT,
    REVISION INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (API_ID),
    UNIQUE (UUID),
    FOREIGN KEY (API_ID) REFERENCES AM_API (API_ID) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS IDX_GH_API_STATUS ON GH_API (STATUS);
