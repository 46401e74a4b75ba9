-- Up Migration

-- Where a device's last finished snapshot started, and why it was re-seeded. `scope_hash` is noted
-- when the snapshot's last page is answered, before the device has it: a device whose reply was
-- lost retries with the cursor it had before, which the hash alone would trust, and the snapshot's
-- entities at or before that cursor would never reach it. A device that did get the snapshot
-- syncs from `seeded_from` or later, so a cursor below it re-seeds again (for the same reason).
-- -1 (no snapshot noted) never re-seeds anyone.
alter table sync_devices
  add column seeded_from bigint not null default -1,
  add column seed_reason text null;

-- Down Migration
alter table sync_devices
  drop column seed_reason,
  drop column seeded_from;
