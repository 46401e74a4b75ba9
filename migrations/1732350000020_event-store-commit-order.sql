-- Up Migration

-- Event store v2: positions in commit order, batched appends.
--
-- Round 1 derived a position from the transaction id (xid × 2^20). A logical restore (pg_dump /
-- pg_restore, a move to a new cluster) starts a new transaction counter near zero, so new events
-- sorted before the restored history; and two writers of one stream could commit revision n+1 at a
-- lower position than revision n. Readers also had to stay below the oldest running transaction of
-- the whole cluster, so one idle session anywhere stalled every subscription.
--
-- Now a position is max(position) + 1, taken under one transaction-level advisory lock that the
-- appending transaction holds until it has committed (PostgreSQL releases locks only after the
-- commit is visible). So:
--   * positions are assigned in commit order: whatever a reader sees at position p, everything
--     below p is already visible or never will be; no horizon is needed;
--   * they depend on nothing but the rows, so a dump, restore, upgrade or move keeps them;
--   * the stream's row lock is taken before the append lock and held to commit, so a stream's
--     next writer can only take a position after this one's: revision order is $all order.
-- The lock is held from the insert to the end of the commit, never across a round trip to a
-- client (es_append_batch runs as one autocommit statement); batching many writers into one
-- statement (src/eventstore/postgres/group-commit.ts) is what makes one lock at a time fast.

-- Key of the append lock, in the two-integer advisory-lock space (apart from hashtext() keys).
create function es_append_lock_key() returns table (classid int, objid int)
language sql immutable as $$ select 1163084884, 1 $$;

-- Appends a batch of appends atomically, each with EventStoreDB's expected-revision and idempotency
-- rules, each answered on its own (one refusal never fails the others).
-- p_requests: [{ "stream", "expected", "count" }], each stream at most once; p_events: every
-- request's events, in request order: [{ "id", "type", "digest", "data", "metadata" }] (digest =
-- hex SHA-256 of the event's canonical content, computed by the caller; the chain link is computed
-- here, under the stream's row lock, so concurrent writers cannot fork the chain).
-- Returns one row per request (1-based): status 'written' | 'idempotent' | 'wrong_expected_version'
-- | 'deleted' | 'idempotency_mismatch'; revision: next expected revision, or the actual one on a
-- conflict; position: of the request's last event.
create function es_append_batch(p_requests jsonb, p_events jsonb)
returns table (request int, status text, revision bigint, "position" bigint)
language plpgsql as $$
declare
  genesis      constant bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
  -- Per request, in request order: its stream, expected revision and event count...
  q_stream     text[];
  q_expected   text[];
  q_count      int[];
  q_first      int[];     -- index in p_events of the request's first event
  -- ...the stream's locked row...
  s_revision   bigint[];
  s_deleted    bigint[];
  s_tombstoned boolean[];
  s_hash       bytea[];
  -- ...the revision of its first event's id if that id is in the stream already ('any' and
  -- 'stream_exists' only), and the answer.
  q_found      bigint[];
  o_status     text[];
  o_revision   bigint[];
  o_position   bigint[];
  o_last       int[];     -- for a written request: its last event's rank among the written ones
  -- Per event of p_events: id and content digest.
  ids          uuid[];
  digests      bytea[];
  links        bytea[];   -- per event of p_events that is written: its chain link
  q_base       bigint[];  -- per written request: the stream's revision before it
  written      int := 0;  -- events written so far, in position order
  n            int;
  first_event  int := 1;
  expected     bigint;
  stream_exists boolean;
  first_rev    bigint;
  matched      int;
  id_matched   int;
  tip          bytea;
  base         bigint;
  locked       int;
  lock_class   int;
  lock_obj     int;
begin
  select array_agg(q.stream order by q.i), array_agg(q.expected order by q.i), array_agg(q.count order by q.i),
         array_agg(q.first order by q.i), count(distinct q.stream)
    into q_stream, q_expected, q_count, q_first, locked
    from (select x.i, x.e->>'stream' as stream, x.e->>'expected' as expected, (x.e->>'count')::int as count,
                 (sum((x.e->>'count')::int) over (order by x.i) - (x.e->>'count')::int + 1)::int as first
            from jsonb_array_elements(p_requests) with ordinality as x(e, i)) q;
  n := cardinality(q_stream);
  if locked <> n then
    raise exception 'es_append_batch: a stream may appear once per batch';
  end if;
  select array_agg((x.e->>'id')::uuid order by x.i), array_agg(decode(x.e->>'digest', 'hex') order by x.i)
    into ids, digests
    from jsonb_array_elements(p_events) with ordinality as x(e, i);

  -- Lock every stream of the batch in name order, so two batches with streams in common never wait
  -- on each other in a cycle; create the new ones first (inserted in name order too).
  for attempt in 1 .. 2 loop
    with rows as (
      select s.stream_name, s.revision, s.deleted_before, s.tombstoned, s.last_hash
        from es_streams s where s.stream_name = any(q_stream)
       order by s.stream_name for update
    )
    select count(*), array_agg(r.revision order by q.i), array_agg(r.deleted_before order by q.i),
           array_agg(r.tombstoned order by q.i), array_agg(r.last_hash order by q.i)
      into locked, s_revision, s_deleted, s_tombstoned, s_hash
      from unnest(q_stream) with ordinality as q(stream, i) join rows r on r.stream_name = q.stream;
    exit when locked = n;
    insert into es_streams (stream_name) select unnest(q_stream) order by 1 on conflict do nothing;
  end loop;

  -- Where each 'any' / 'stream_exists' request's first event id already is (idempotency).
  select array_agg(case when q.expected in ('any', 'stream_exists') then
           (select e.revision from es_events e where e.stream_name = q.stream and e.event_id = ids[q.first])
         end order by q.i)
    into q_found
    from unnest(q_stream, q_expected, q_first) with ordinality as q(stream, expected, first, i);

  o_status := array_fill(null::text, array[n]);
  o_revision := array_fill(null::bigint, array[n]);
  o_position := array_fill(null::bigint, array[n]);
  o_last := array_fill(0, array[n]);
  q_base := array_fill(null::bigint, array[n]);
  links := array_fill(null::bytea, array[cardinality(ids)]);

  for i in 1 .. n loop
    if s_tombstoned[i] then
      o_status[i] := 'deleted';
      o_revision[i] := s_revision[i];
      first_event := first_event + q_count[i];
      continue;
    end if;

    stream_exists := s_revision[i] >= s_deleted[i];
    expected := case when q_expected[i] ~ '^-?[0-9]{1,18}$' then q_expected[i]::bigint end;
    if q_expected[i] not in ('any', 'no_stream', 'stream_exists') and expected is null then
      raise exception 'expected revision must be any, no_stream, stream_exists or an integer, got %', q_expected[i];
    end if;

    -- Idempotency: the same ids already written where the caller expects them -> success, no write.
    first_rev := case
      when q_expected[i] in ('any', 'stream_exists') then q_found[i]
      when q_expected[i] = 'no_stream' then case when s_revision[i] >= 0 then 0 end
      else case when s_revision[i] > expected then expected + 1 end
    end;
    if first_rev is not null then
      -- A replay needs the same ids at the same revisions with the same content: each stored link
      -- must be the one this event's digest gives after its predecessor's link.
      select count(*) filter (where e.hash = sha256(coalesce(p.hash, genesis) || digests[first_event + j])),
             count(*)
        into matched, id_matched
        from generate_series(0, q_count[i] - 1) j
        join es_events e on e.stream_name = q_stream[i] and e.revision = first_rev + j
                        and e.event_id = ids[first_event + j]
        left join es_events p on p.stream_name = q_stream[i] and p.revision = first_rev + j - 1;
      if matched = q_count[i] then
        o_status[i] := 'idempotent';
        o_revision[i] := first_rev + q_count[i] - 1;
        o_position[i] := (select e.position from es_events e
                           where e.stream_name = q_stream[i] and e.revision = first_rev + q_count[i] - 1);
        first_event := first_event + q_count[i];
        continue;
      elsif id_matched > 0 then
        o_status[i] := 'idempotency_mismatch';
        o_revision[i] := s_revision[i];
        first_event := first_event + q_count[i];
        continue;
      end if;
    end if;

    -- Expected-revision rules.
    if (q_expected[i] = 'no_stream' and stream_exists)
       or (q_expected[i] = 'stream_exists' and not stream_exists)
       or (expected is not null and s_revision[i] <> expected) then
      o_status[i] := 'wrong_expected_version';
      o_revision[i] := case when stream_exists then s_revision[i] else -1 end;
      first_event := first_event + q_count[i];
      continue;
    end if;

    tip := coalesce(s_hash[i], genesis);
    for k in first_event .. first_event + q_count[i] - 1 loop
      tip := sha256(tip || digests[k]);
      links[k] := tip;
    end loop;
    q_base[i] := s_revision[i];
    s_revision[i] := s_revision[i] + q_count[i];
    s_hash[i] := tip;
    written := written + q_count[i];
    o_status[i] := 'written';
    o_revision[i] := s_revision[i];
    o_last[i] := written;
    first_event := first_event + q_count[i];
  end loop;

  if written > 0 then
    update es_streams s set revision = u.revision, last_hash = u.hash
      from unnest(q_stream, s_revision, s_hash, o_status) as u(stream, revision, hash, status)
     where u.status = 'written' and s.stream_name = u.stream;
    -- From here to the commit, no other append can take a position: positions follow commits.
    select k.classid, k.objid into lock_class, lock_obj from es_append_lock_key() k;
    perform pg_advisory_xact_lock(lock_class, lock_obj);
    select coalesce(max(e.position), -1) + 1 into base from es_events e;
    -- Recorded-at follows position order too: the clock after the lock, not the transaction's start.
    insert into es_events (position, stream_name, revision, event_id, type, data, metadata, hash, created_at)
    select base + row_number() over (order by x.i) - 1, q.stream, q.before + 1 + x.i - q.first, ids[x.i],
           x.e->>'type', x.e->'data', x.e->'metadata', links[x.i], clock_timestamp()
      from unnest(q_stream, q_first, q_count, q_base) as q(stream, first, count, before)
      join lateral generate_series(q.first, q.first + q.count - 1) as w(i) on q.before is not null
      join jsonb_array_elements(p_events) with ordinality as x(e, i) on x.i = w.i;
  end if;

  return query
    select o.i::int, o.status, o.revision,
           case when o.last > 0 then base + o.last - 1 else o.position end
      from unnest(o_status, o_revision, o_position, o_last) with ordinality as o(status, revision, position, last, i);
end;
$$;

-- The single-append form, kept for callers of round 1 (and for tests that hold an append open).
create or replace function es_append(p_stream text, p_expected text, p_events jsonb)
returns table (status text, revision bigint, "position" bigint)
language sql as $$
  select b.status, b.revision, b."position"
    from es_append_batch(
      jsonb_build_array(jsonb_build_object('stream', p_stream, 'expected', p_expected,
                                           'count', jsonb_array_length(p_events))),
      p_events) b
$$;

drop function es_position_horizon();

-- Down Migration
drop function es_append(text, text, jsonb);
drop function es_append_batch(jsonb, jsonb);
drop function es_append_lock_key();
