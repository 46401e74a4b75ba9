-- Up Migration

-- The Ed25519 keys access tokens are signed with (src/auth/signing-key-*.ts). Every API process
-- reads them here, so a key made by one (or by `chronicle keys rotate`) is used by all.
--
-- kid                 RFC 7638 thumbprint of the public key, the `kid` header of its tokens.
-- public_jwk          { kty, crv, x }: what GET /.well-known/jwks.json publishes.
-- sealed_private_key  AES-256-GCM of the PKCS#8 private key under a key derived from AUTH_SECRET
--                     (never stored here), the kid as associated data. A process opens it and
--                     checks that it matches public_jwk, so a row written by someone with database
--                     access alone (their own public key, say) is never trusted.
-- retired_at          when a newer key took over; null for the one key that signs.
-- verifies_until      retired_at + an access token's lifetime + a margin: tokens it signed are
--                     accepted until then, and it stays in the JWKS until then.
create table access_token_signing_keys (
  kid                 text        primary key,
  algorithm           text        not null check (algorithm = 'EdDSA'),
  public_jwk          jsonb       not null,
  sealed_private_key  bytea       not null,
  created_at          timestamptz not null,
  retired_at          timestamptz,
  verifies_until      timestamptz,
  constraint access_token_signing_keys_retired_together
    check ((retired_at is null) = (verifies_until is null))
);

-- One signing key at a time: two API processes creating the first key together, or a rotation
-- racing another, cannot leave two (the loser's insert conflicts here).
create unique index access_token_signing_keys_one_signer
  on access_token_signing_keys ((retired_at is null))
  where retired_at is null;

-- Down Migration
drop table access_token_signing_keys;
