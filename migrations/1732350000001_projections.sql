-- Up Migration

-- One row per projection: which generation of its tables is live and how far it has read.
-- The projector locks this row in every batch transaction, so a checkpoint can only move
-- together with the read-model rows it covers (exactly-once effect), and a rebuild's swap
-- (which locks it too) never interleaves with a live batch.
create table projection_state (
  name            text primary key,
  code_version    int         not null,
  generation      int         not null,              -- suffix of the live physical tables
  checkpoint      bigint      not null default -1,   -- position of the last event read (applied or not handled)
  status          text        not null default 'live' check (status in ('live', 'failed', 'rebuilding')),
  error           text,
  error_position  bigint,
  failed_at       timestamptz,
  attempts        int         not null default 0,
  updated_at      timestamptz not null default now()
);

-- A rebuild in progress: it fills generation `generation` from position 0 while the live one serves.
create table projection_rebuilds (
  name          text primary key references projection_state (name) on delete cascade,
  code_version  int         not null,
  generation    int         not null,
  checkpoint    bigint      not null default -1,
  events_done   bigint      not null default 0,
  started_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

-- Down Migration
drop table projection_rebuilds;
drop table projection_state;
