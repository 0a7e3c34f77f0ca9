-- +goose Up
-- A source the API rejects as malformed (HTTP 400, e.g. a query with unbalanced brackets)
-- is marked, like an unknown handle, and not asked again every tick.
ALTER TABLE sources DROP CONSTRAINT sources_status_check;
ALTER TABLE sources ADD CONSTRAINT sources_status_check
    CHECK (status IN ('active', 'not_found', 'suspended', 'rejected'));

-- +goose Down
UPDATE sources SET status = 'active' WHERE status = 'rejected';
ALTER TABLE sources DROP CONSTRAINT sources_status_check;
ALTER TABLE sources ADD CONSTRAINT sources_status_check
    CHECK (status IN ('active', 'not_found', 'suspended'));
