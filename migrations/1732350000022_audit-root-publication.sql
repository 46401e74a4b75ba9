-- Up Migration

-- How far each place that audit anchors are published to (a file, a webhook; see
-- src/audit/root-publication.ts) has received them. The projector publishes every anchor after
-- `to_position` and then moves it, holding the row lock meanwhile, so two projector processes do
-- not both publish one anchor. Losing this table only means anchors are published again: a
-- published copy with repeats still verifies (`chronicle audit verify --against`).
create table audit_publications (
  target       text        primary key,   -- 'file:<absolute path>' or 'webhook:<url>'
  to_position  bigint      not null,      -- the last published anchor's range end (-1: none yet)
  published    bigint      not null default 0,
  updated_at   timestamptz not null default now()
);

-- Down Migration
drop table audit_publications;
