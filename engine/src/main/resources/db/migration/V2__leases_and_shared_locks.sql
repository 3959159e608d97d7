-- Several opsbot processes may share one journal (two `opsbot exec` on one H2 file, or bot replicas on one
-- PostgreSQL): each RUNNING operation names the engine that runs it and when that engine last said it was alive,
-- so recovery takes over only what a dead engine left; and resource locks live here, so two processes never
-- interleave operations on one resource. Portable SQL: H2 2.x and PostgreSQL 12+.

ALTER TABLE operations ADD COLUMN owner VARCHAR(300);
ALTER TABLE operations ADD COLUMN heartbeat_at TIMESTAMP WITH TIME ZONE;

CREATE TABLE resource_locks (
    resource     VARCHAR(400) NOT NULL PRIMARY KEY,
    operation_id VARCHAR(40)  NOT NULL,
    title        VARCHAR      NOT NULL,
    requester    VARCHAR(200),
    since        TIMESTAMP WITH TIME ZONE NOT NULL,
    owner        VARCHAR(300) NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX resource_locks_owner ON resource_locks (owner);
