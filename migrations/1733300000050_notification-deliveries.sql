-- Up Migration

-- One row per notification (or account e-mail) and channel that was due to go out: the delivery
-- saga's durable queue and its idempotency record. Operational state, not a read model: a rebuild
-- of the notifications read model must not send anything again, so it lives outside the
-- projections' tables. A row is claimed ('sending') just before the push or e-mail leaves and
-- settled just after; a row found 'sending' by a later attempt means a worker died mid-send, and
-- it is settled 'unknown' rather than sent again (at most once per notification and channel).
create table notification_deliveries (
  notification_id  uuid        not null,          -- the notification, or the account e-mail's request id
  channel          text        not null,          -- 'push' | 'email' (push: one row per device, see target)
  target           text        not null default '', -- the device id for push; '' for e-mail
  recipient_id     uuid        not null,
  kind             text        not null,          -- the notification type, or the account e-mail's kind
  state            text        not null default 'pending', -- pending | sending | sent | failed | dropped | unknown | skipped
  due_at           timestamptz not null,          -- not before (quiet hours, backoff)
  attempts         integer     not null default 0,
  reason           text,                          -- why it failed, was dropped or skipped
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  sent_at          timestamptz,
  primary key (notification_id, channel, target)
);
create index notification_deliveries_recipient on notification_deliveries (recipient_id, created_at desc);
create index notification_deliveries_due on notification_deliveries (due_at) where state = 'pending';

-- Down Migration
drop table notification_deliveries;
