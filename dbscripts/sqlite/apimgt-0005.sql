-- Gatehouse schema: component `apimgt`, version 5, dialect sqlite (hand-written migration).
-- The cluster's change events (modules/cluster): every process that shares this database appends the events
-- it publishes (API published or blocked, subscription blocked, keys regenerated, token revoked...) and reads
-- the others' by EVENT_ID, so a change on one node reaches every gateway and key manager within a second
-- without a message broker. Rows are kept ten minutes (CREATED_TIME, epoch ms), long enough for a node that lost
-- its connection to catch up; older ones are deleted by whichever node gets there first.
CREATE TABLE IF NOT EXISTS GH_EVENT (
    EVENT_ID INTEGER PRIMARY KEY AUTOINCREMENT,
    KIND INTEGER NOT NULL,
    ORIGIN VARCHAR(64) NOT NULL,
    API_ID INTEGER,
    APPLICATION_ID INTEGER,
    SUBSCRIPTION_ID INTEGER,
    API_UUID VARCHAR(64),
    CONSUMER_KEY VARCHAR(255),
    TOKEN_HASH VARCHAR(128),
    NAME VARCHAR(255),
    FLAGS INTEGER NOT NULL DEFAULT 0,
    CREATED_TIME INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS IDX_GH_EVENT_CT ON GH_EVENT (CREATED_TIME);
