-- Up Migration

-- WebAuthn challenges handed out and not yet answered. Operational state, not a read model: a
-- challenge is single use, so answering one deletes its row (`delete ... returning`), and a row
-- past expires_at is refused and swept. A challenge for registration or a second factor names
-- the user it was made for; one for passwordless sign-in names nobody (user_id null).
create table webauthn_challenges (
  challenge   text        primary key,   -- base64url of 32 random bytes
  purpose     text        not null,      -- 'registration' | 'authentication'
  user_id     uuid,
  expires_at  timestamptz not null,
  created_at  timestamptz not null default now()
);
create index webauthn_challenges_expiry on webauthn_challenges (expires_at);

-- Down Migration
drop table webauthn_challenges;
