-- Up Migration

-- The embedded event store. EventStoreDB semantics on PostgreSQL; see src/eventstore/postgres/.

-- One row per stream: its head (for expected-revision checks, taken FOR UPDATE by appends),
-- the tip of its hash chain, deletion state and the metadata that reads honour.
create table es_streams (
  stream_name      text primary key,
  revision         bigint  not null default -1,       -- revision of the last event; -1 = none yet
  last_hash        bytea,                             -- hash-chain link of the last event
  deleted_before   bigint  not null default 0,        -- soft delete hides revisions below this
  tombstoned       boolean not null default false,    -- hard delete: never readable or writable again
  max_count        bigint,
  max_age_seconds  bigint,
  truncate_before  bigint,
  custom_metadata  jsonb   not null default '{}'::jsonb
);

-- position = top-level transaction id * 2^20 + index within the transaction.
-- Ordering by position is ordering by transaction id, so a reader that only reads below
-- pg_snapshot_xmin(pg_current_snapshot()) * 2^20 never passes over a transaction that is
-- still in flight: whatever commits later lands above everything already read.
create table es_events (
  position     bigint      primary key,
  stream_name  text        not null,
  revision     bigint      not null,
  event_id     uuid        not null,
  type         text        not null,
  data         jsonb       not null,
  metadata     jsonb       not null,
  hash         bytea       not null,
  created_at   timestamptz not null default now(),
  constraint es_events_stream_revision unique (stream_name, revision)
);
create index es_events_stream_event_id on es_events (stream_name, event_id);

create function es_position_horizon() returns bigint
language sql stable parallel safe as $$
  -- Everything below this is committed (or aborted) for good: no transaction still running
  -- can add an event under it.
  select pg_snapshot_xmin(pg_current_snapshot())::text::bigint * 1048576
$$;

-- Appends a batch atomically with EventStoreDB's expected-revision and idempotency rules.
-- p_events: [{ "id", "type", "data", "metadata", "digest" }] (digest = hex SHA-256 of the
-- event's canonical content, computed by the caller; the chain link is computed here, under
-- the stream's row lock, so concurrent writers cannot fork the chain).
-- Returns status: 'written' | 'idempotent' | 'wrong_expected_version' | 'deleted' | 'idempotency_mismatch';
-- revision: next expected revision, or the actual one on a conflict; position: of the last event.
create function es_append(p_stream text, p_expected text, p_events jsonb)
returns table (status text, revision bigint, "position" bigint)
language plpgsql as $$
declare
  s          es_streams%rowtype;
  n          int := jsonb_array_length(p_events);
  expected   bigint;
  stream_exists boolean;
  first_rev  bigint;
  matched    int;
  base       bigint;
  tip        bytea;
begin
  select * into s from es_streams where stream_name = p_stream for update;
  if not found then
    insert into es_streams (stream_name) values (p_stream) on conflict do nothing;
    select * into s from es_streams where stream_name = p_stream for update;
  end if;

  if s.tombstoned then
    return query select 'deleted'::text, s.revision, null::bigint;
    return;
  end if;

  stream_exists := s.revision >= s.deleted_before;
  expected := case when p_expected ~ '^-?[0-9]+$' then p_expected::bigint end;

  -- Idempotency: the same ids already written where the caller expects them -> success, no write.
  if p_expected not in ('any', 'no_stream', 'stream_exists') and expected is null then
    raise exception 'expected revision must be any, no_stream, stream_exists or an integer, got %', p_expected;
  end if;

  if p_expected in ('any', 'stream_exists') then
    select e.revision into first_rev
      from es_events e
     where e.stream_name = p_stream and e.event_id = (p_events->0->>'id')::uuid;
  elsif p_expected = 'no_stream' then
    first_rev := case when s.revision >= 0 then 0 end;
  else
    first_rev := case when s.revision > expected then expected + 1 end;
  end if;

  if first_rev is not null then
    select count(*) into matched
      from jsonb_array_elements(p_events) with ordinality as x(event, i)
      join es_events e
        on e.stream_name = p_stream
       and e.revision = first_rev + x.i - 1
       and e.event_id = (x.event->>'id')::uuid;
    if matched = n then
      return query
        select 'idempotent'::text, e.revision, e.position
          from es_events e where e.stream_name = p_stream and e.revision = first_rev + n - 1;
      return;
    elsif matched > 0 then
      return query select 'idempotency_mismatch'::text, s.revision, null::bigint;
      return;
    end if;
  end if;

  -- Expected-revision rules.
  if (p_expected = 'no_stream' and stream_exists)
     or (p_expected = 'stream_exists' and not stream_exists)
     or (expected is not null and s.revision <> expected) then
    return query select 'wrong_expected_version'::text,
                        case when stream_exists then s.revision else -1 end, null::bigint;
    return;
  end if;

  base := pg_current_xact_id()::text::bigint * 1048576;
  -- Several appends in one transaction continue the numbering instead of colliding.
  select coalesce(max(e.position) + 1, base) into base
    from es_events e where e.position >= base and e.position < base + 1048576;

  tip := coalesce(s.last_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);

  with recursive input as (
    select x.i, x.event from jsonb_array_elements(p_events) with ordinality as x(event, i)
  ), chain(i, hash) as (
    select 0::bigint, tip
    union all
    select c.i + 1, sha256(c.hash || decode(inp.event->>'digest', 'hex'))
      from chain c join input inp on inp.i = c.i + 1
  )
  insert into es_events (position, stream_name, revision, event_id, type, data, metadata, hash)
  select base + inp.i - 1, p_stream, s.revision + inp.i, (inp.event->>'id')::uuid, inp.event->>'type',
         inp.event->'data', inp.event->'metadata', c.hash
    from input inp join chain c on c.i = inp.i;

  select e.hash into tip from es_events e where e.position = base + n - 1;
  update es_streams set revision = s.revision + n, last_hash = tip where stream_name = p_stream;

  return query select 'written'::text, s.revision + n, base + n - 1;
end;
$$;

-- Down Migration
drop function es_append(text, text, jsonb);
drop function es_position_horizon();
drop table es_events;
drop table es_streams;
