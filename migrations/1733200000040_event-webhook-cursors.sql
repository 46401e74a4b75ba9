-- Up Migration

-- How far each integrator webhook's delivery has got. Operational state, not a read model: a
-- projection rebuild must not send every webhook its history again, so it lives outside the
-- projections' tables. Delivery moves it after a batch is handled (a crash redelivers that batch
-- at most: receivers drop repeats by the idempotency key). `replays` counts the replay requests
-- applied: a batch begun before a replay must not move the cursor it reset.
create table event_webhook_cursors (
  webhook_id    uuid primary key,
  position      bigint      not null,           -- the last position handled (delivered, dead-lettered or skipped)
  replays       integer     not null default 0,
  delivered_at  timestamptz,                    -- when an event was last delivered
  updated_at    timestamptz not null default now()
);

-- Down Migration
drop table event_webhook_cursors;
