-- Gatehouse schema: component `identity`, version 2, dialect sqlite (hand-written migration).
-- WSO2's one seed row of the identity schema; skipped when present (re-run, existing WSO2 database).

INSERT INTO IDN_BASE_TABLE (PRODUCT_NAME)
SELECT 'WSO2 Identity Server'
WHERE NOT EXISTS (SELECT 1 FROM IDN_BASE_TABLE WHERE PRODUCT_NAME = 'WSO2 Identity Server');
