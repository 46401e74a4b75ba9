-- Up Migration

-- Password reset requests counted per e-mail address and per client address, in fixed windows:
-- the limit must hold whether or not an account exists (refusing only known addresses would tell
-- who has an account), across API replicas and restarts. Addresses are kept as keyed hashes
-- (HMAC with a key derived from AUTH_SECRET), never in clear. Operational state, not a read model.
create table account_recovery_throttle (
  key               text        primary key,   -- 'reset-email:<hmac hex>' | 'reset-ip:<address>'
  window_started_at timestamptz not null,
  hits              integer     not null
);
create index account_recovery_throttle_window on account_recovery_throttle (window_started_at);

-- Down Migration
drop table account_recovery_throttle;
