-- Up Migration

-- One encryption key per person whose personal data events hold (see src/privacy/).
-- Forgetting a person sets `key` to null: every ciphertext under it becomes unreadable while the
-- events themselves are never rewritten. The row stays (with destroyed_at) so the person never
-- gets a new key, and so a person forgotten before they had any key is refused one later;
-- such a marker row carries the nil UUID as key_id.
create table personal_data_keys (
  subject       text        primary key,
  key_id        uuid        not null,
  key           bytea       null check (key is null or octet_length(key) = 32),
  created_at    timestamptz not null default now(),
  destroyed_at  timestamptz null,
  constraint personal_data_keys_destroyed_has_no_key check (destroyed_at is null or key is null)
);

-- Down Migration
drop table personal_data_keys;
