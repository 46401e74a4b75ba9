-- Up Migration

-- A MAC over every snapshot, under a key derived from AUTH_SECRET (never stored in the database):
-- a row written or edited by someone with database access alone fails it and is ignored, so
-- `aggregateAt` folds from the events instead (src/audit/snapshots.ts). Rows from before this
-- migration have none and are ignored the same way, then written again by the next fold.
alter table audit_snapshots add column mac bytea;

-- Down Migration
alter table audit_snapshots drop column mac;
