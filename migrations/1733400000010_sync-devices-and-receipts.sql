-- Up Migration

-- A device's sync bookkeeping: when it last synced, the feed cursor it was given, how far its
-- clock was off and which scopes it was seeded with (a change of scope makes it re-seed).
-- Operational state beside the `device-<id>` stream (which says whether the device may sync at
-- all): one write per sync, which as events would make a device's stream grow every minute.
create table sync_devices (
  device_id        uuid        primary key,
  user_id          uuid        not null,
  last_synced_at   timestamptz not null,
  cursor           bigint      not null,          -- the event-store position the last reply ended at
  scope_hash       text        not null,          -- sha256 of the sorted scope list the device was seeded with
  clock_skew_ms    bigint      not null default 0, -- device clock minus server clock at the last sync
  syncs            bigint      not null default 0
);
create index sync_devices_user on sync_devices (user_id);

-- What became of each pushed change, by the person and the change's id: a retried sync (a reply
-- lost on the way) is answered with the same outcome and applies nothing twice. `fingerprint` is
-- the change's content: the same id with other content is refused.
create table sync_receipts (
  user_id      uuid        not null,
  change_id    text        not null,
  device_id    uuid        not null,
  fingerprint  text        not null,
  outcome      jsonb       not null,
  created_at   timestamptz not null default now(),
  primary key (user_id, change_id)
);
create index sync_receipts_created on sync_receipts (created_at);

-- Down Migration
drop table sync_receipts;
drop table sync_devices;
