-- Up Migration

-- The hash chain covers recorded-at (es_events.created_at), the auditor's "when was this stored".
--
-- Until now link_n = SHA-256(link_{n-1} || digest_n), over the event's content only: editing
-- created_at was detected by nothing. From here on a new event's link is
--   link_n = SHA-256(link_{n-1} || digest_n || recorded-at as microseconds since 1970, int8 big-endian)
-- and es_events.link_version says which rule made it (1: content only, every event before this
-- migration and every event the EventStoreDB adapter writes; 2: content and recorded-at). The
-- version cannot be flipped to hide an edit: under the other rule the stored link no longer matches.
-- Recorded-at is kept in whole milliseconds, which every client (JavaScript's Date included) reads
-- back exactly.
alter table es_events add column link_version smallint not null default 1
  constraint es_events_link_version check (link_version in (1, 2));

-- One link, by its version's rule (hash-chain.ts computes the same).
create function es_link(p_previous bytea, p_digest bytea, p_recorded_at timestamptz, p_version smallint)
returns bytea language sql immutable parallel safe as $$
  select case p_version
    when 1 then sha256(p_previous || p_digest)
    else sha256(p_previous || p_digest || int8send((extract(epoch from p_recorded_at) * 1000000)::bigint))
  end
$$;

-- As in 1732350000020, with links that cover the recorded-at (computed once that is known), and
-- with two optional fields per event for `audit replay`: "recordedAt" and "linkVersion".
create or replace function es_append_batch(p_requests jsonb, p_events jsonb)
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
  stamps       timestamptz[];  -- ...its recorded-at
  versions     smallint[];     -- ...its link version
  given_at     timestamptz[];  -- per event: the recorded-at a replay asks for (null: now)
  given_v      smallint[];     -- per event: the link version a replay asks for (null: 2)
  now_ms       timestamptz;
  now_us       bytea;     -- now_ms as es_link encodes it
  s_tip        bytea[];   -- per request: the stream's link after what this batch writes
  last_position bigint;
  last_at      timestamptz;
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
  select array_agg((x.e->>'id')::uuid order by x.i), array_agg(decode(x.e->>'digest', 'hex') order by x.i),
         array_agg((x.e->>'recordedAt')::timestamptz order by x.i), array_agg((x.e->>'linkVersion')::smallint order by x.i)
    into ids, digests, given_at, given_v
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
  s_tip := array_fill(null::bytea, array[n]);
  stamps := array_fill(null::timestamptz, array[cardinality(ids)]);
  versions := array_fill(null::smallint, array[cardinality(ids)]);

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
      select count(*) filter (where e.hash = es_link(coalesce(p.hash, genesis), digests[first_event + j],
                                                      e.created_at, e.link_version)),
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

    q_base[i] := s_revision[i];
    s_revision[i] := s_revision[i] + q_count[i];
    written := written + q_count[i];
    o_status[i] := 'written';
    o_revision[i] := s_revision[i];
    o_last[i] := written;
    first_event := first_event + q_count[i];
  end loop;

  if written > 0 then
    -- The links cover recorded-at, so it is taken first: the clock now, in whole milliseconds so
    -- that every client reads back exactly what the link covers (a replay gives the source's time
    -- and link version instead, so its links come out as the source's). They are computed before
    -- the append lock, which is held as briefly as it can be.
    now_ms := date_trunc('milliseconds', clock_timestamp());
    <<linking>> loop
      now_us := int8send((extract(epoch from now_ms) * 1000000)::bigint);
      for i in 1 .. n loop
        continue when q_base[i] is null;
        tip := coalesce(s_hash[i], genesis);
        for k in q_first[i] .. q_first[i] + q_count[i] - 1 loop
          stamps[k] := coalesce(given_at[k], now_ms);
          versions[k] := coalesce(given_v[k], 2);
          -- es_link's rules, spelled out: a plain expression here costs far less than a call.
          tip := case
            when versions[k] = 1 then sha256(tip || digests[k])
            when given_at[k] is null then sha256(tip || digests[k] || now_us)
            else sha256(tip || digests[k] || int8send((extract(epoch from given_at[k]) * 1000000)::bigint))
          end;
          links[k] := tip;
        end loop;
        s_tip[i] := tip;
      end loop;
      update es_streams s set revision = u.revision, last_hash = u.hash
        from unnest(q_stream, s_revision, s_tip, o_status) as u(stream, revision, hash, status)
       where u.status = 'written' and s.stream_name = u.stream;
      exit linking when base is not null;
      -- From here to the commit, no other append can take a position: positions follow commits.
      select k.classid, k.objid into lock_class, lock_obj from es_append_lock_key() k;
      perform pg_advisory_xact_lock(lock_class, lock_obj);
      select e.position, e.created_at into last_position, last_at from es_events e order by e.position desc limit 1;
      base := coalesce(last_position, -1) + 1;
      -- Recorded-at follows position order too. Another process's append that read the clock
      -- after this one but took the lock first is the rare case: link again with its time.
      exit linking when last_at is null or last_at <= now_ms;
      now_ms := last_at;
    end loop;
    insert into es_events (position, stream_name, revision, event_id, type, data, metadata, hash, created_at,
                           link_version)
    select base + row_number() over (order by x.i) - 1, q.stream, q.before + 1 + x.i - q.first, ids[x.i],
           x.e->>'type', x.e->'data', x.e->'metadata', links[x.i], stamps[x.i], versions[x.i]
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

-- Down Migration
-- Irreversible: without link_version, events linked under rule 2 could no longer be verified.
do $$ begin raise exception 'migration 1732350000023 cannot be reverted'; end $$;
