-- Gatehouse schema: component `apimgt`, version 5, dialect mysql (hand-written migration).
-- The cluster's change events (modules/cluster): every process that shares this database appends the events
-- it publishes (API published or blocked, subscription blocked, keys regenerated, token revoked...) and reads
-- the others' by EVENT_ID, so a change on one node reaches every gateway and key manager within a second
-- without a message broker. Rows are kept ten minutes (CREATED_TIME, epoch ms), long enough for a node that lost
-- its connection to catch up; older ones are deleted by whichever node gets there first.
CREATE TABLE IF NOT EXISTS GH_EVENT (
    EVENT_ID BIGINT NOT NULL AUTO_INCREMENT,
    KIND INTEGER NOT NULL,
    ORIGIN VARCHAR(64) NOT NULL,
    API_ID BIGINT,
    APPLICATION_ID BIGINT,
    SUBSCRIPTION_ID BIGINT,
    API_UUID VARCHAR(64),
    CONSUMER_KEY VARCHAR(255),
    TOKEN_HASH VARCHAR(128),
    NAME VARCHAR(255),
    FLAGS INTEGER NOT NULL DEFAULT 0,
    CREATED_TIME BIGINT NOT NULL,
    PRIMARY KEY (EVENT_ID),
    INDEX IDX_GH_EVENT_CT (CREATED_TIME)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
