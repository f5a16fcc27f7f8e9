-- Gatehouse schema: component `apimgt`, version 6, dialect sqlite (hand-written migration).
-- Cluster-wide throttling (modules/gateway/counters_cluster.c): each gateway process writes its own count per
-- throttle key and window here in batches, and reads the sum of the others', so several gateways together
-- enforce one tier. One row per (node, key, window); rows whose window ended more than a minute ago are
-- deleted by whichever gateway gets there first. Times are epoch milliseconds.
CREATE TABLE IF NOT EXISTS GH_THROTTLE_COUNTER (
    NODE VARCHAR(64) NOT NULL,
    COUNTER_KEY VARCHAR(320) NOT NULL,
    WINDOW_MS INTEGER NOT NULL,
    WINDOW_START INTEGER NOT NULL,
    WINDOW_END INTEGER NOT NULL,
    COUNT_VALUE INTEGER NOT NULL,
    PRIMARY KEY (NODE, COUNTER_KEY, WINDOW_MS, WINDOW_START)
);
CREATE INDEX IF NOT EXISTS IDX_GH_THROTTLE_END ON GH_THROTTLE_COUNTER (WINDOW_END);
