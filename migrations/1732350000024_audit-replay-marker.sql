-- Up Migration

-- `chronicle audit replay` notes here when it starts loading into an (empty) embedded target and
-- when it is done. A row left unfinished means a replay was killed half-way: the next replay into
-- this database empties what that one loaded and starts again, instead of refusing a target that
-- is only "not empty" because of it (src/audit/replay.ts).
create table audit_replays (
  id           bigint generated always as identity primary key,
  file         text        not null,
  file_sha256  text        not null,
  started_at   timestamptz not null default now(),
  finished_at  timestamptz
);

-- Down Migration
drop table audit_replays;
