-- Gatehouse schema: component `apimgt`, version 4, dialect postgresql (hand-written migration).
-- Uniqueness the portals rely on under concurrency: one subscription per application and API, one API per
-- context and version (AM_API.CONTEXT holds /{context}/{version}). Sorting indexes for the Store / Publisher
-- listings.

CREATE UNIQUE INDEX IF NOT EXISTS IDX_GH_SUB_APP_API ON AM_SUBSCRIPTION (APPLICATION_ID, API_ID);
CREATE UNIQUE INDEX IF NOT EXISTS IDX_GH_API_CONTEXT ON AM_API (CONTEXT);
CREATE INDEX IF NOT EXISTS IDX_GH_API_NAME ON AM_API (API_NAME, API_VERSION, API_ID);
