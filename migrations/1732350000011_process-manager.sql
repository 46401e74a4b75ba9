-- Up Migration

-- How far each process manager has read `$all`. Unlike a projection's checkpoint it cannot move in
-- the same transaction as its effects (those are Temporal calls), so it moves after them: a crash
-- in between replays a few events, and every action is idempotent (workflow ids derive from the
-- triggering event; workflows ignore signals for event ids they have seen).
create table process_manager_checkpoints (
  name        text primary key,
  position    bigint      not null default -1,   -- position of the last event handled; -1: none yet
  updated_at  timestamptz not null default now()
);

-- Down Migration
drop table process_manager_checkpoints;
