-- +goose Up
-- When the last complete walk began: a task published before it has nothing left to add.
ALTER TABLE sources ADD COLUMN last_walk_started_at timestamptz;

-- +goose Down
ALTER TABLE sources DROP COLUMN last_walk_started_at;
