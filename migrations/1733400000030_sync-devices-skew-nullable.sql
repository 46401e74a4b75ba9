-- Up Migration

-- A device that never sent `deviceTime` has no known clock skew: null, not 0 (a clock exactly in
-- step). Rows noted before this kept 0 for both; they are left as they are.
alter table sync_devices
  alter column clock_skew_ms drop not null,
  alter column clock_skew_ms drop default;

-- Down Migration
update sync_devices set clock_skew_ms = 0 where clock_skew_ms is null;
alter table sync_devices
  alter column clock_skew_ms set default 0,
  alter column clock_skew_ms set not null;
