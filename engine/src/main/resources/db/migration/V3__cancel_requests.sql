-- A cancel may reach another process than the one running the operation (Slack spreads a replica set's events):
-- it is written here, and the engine that runs the operation reads it with its heartbeat.

ALTER TABLE operations ADD COLUMN cancel_requested_by VARCHAR(200);
