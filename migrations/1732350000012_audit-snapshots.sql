-- Up Migration

-- Snapshots of aggregate states for `aggregateAt` (src/audit/snapshots.ts): a cache, never a source
-- of truth. Each is keyed by the decider's fingerprint (catalogue types and schema versions plus an
-- explicit snapshot version), so a snapshot taken by older code is never used, and carries the
-- hash-chain link of the event it was taken at, which must still equal the stored event's link.
-- Dropping every row is always safe: the next queries fold from the events and write them again.
create table audit_snapshots (
  stream_name      text        not null,
  fingerprint      text        not null,
  revision         bigint      not null,                -- the state after the event at this revision
  event_hash       bytea       not null,                -- es_events.hash of that event
  max_occurred_at  timestamptz not null,                -- latest occurredAt among events 0..revision
  -- The encoded state; for a stream holding one person's personal data, an AES-256-GCM envelope
  -- under that person's key, so forgetting them makes the snapshot unreadable like their events.
  state            jsonb       not null,
  subject          text        null,                    -- whose key encrypts `state`; null if plain
  created_at       timestamptz not null default now(),
  primary key (stream_name, fingerprint, revision)
);
create index audit_snapshots_by_time on audit_snapshots (stream_name, fingerprint, max_occurred_at);

-- Down Migration
drop table audit_snapshots;
