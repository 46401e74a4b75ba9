-- Up Migration

-- Trigram similarity for "did you mean" suggestions over content titles (read model `contents`).
-- pg_trgm is a trusted extension: the database owner may create it without superuser rights.
create extension if not exists pg_trgm;

-- Down Migration
drop extension if exists pg_trgm;
