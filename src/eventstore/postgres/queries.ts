import { EVENT_COLUMNS } from './rows.ts';

/**
 * The reads. Positions are assigned in commit order (migrations/…_event-store-commit-order.sql):
 * once a reader sees position p, nothing can still commit below it, so `$all` is read as it is,
 * with no horizon to stay under.
 */

const FILTERS = `
    and ($3::text[] is null or e.stream_name ^@ any($3::text[]))
    and ($4::text[] is null or e.type ^@ any($4::text[]))`;

/** $1 = exclusive lower bound, $2 = limit, $3/$4 = stream / type prefixes. */
export const READ_ALL_FORWARDS = `
  select ${EVENT_COLUMNS} from es_events e
   where e.position > $1 ${FILTERS}
   order by e.position
   limit $2`;

/**
 * $1 = exclusive lower bound, $2 = limit, $3/$4 = prefixes: how many match (positions only, from
 * the primary key) and when the first happened; no event body is read but the first's metadata.
 */
export const COUNT_ALL_FORWARDS = `
  with matching as (
    select e.position from es_events e
     where e.position > $1 ${FILTERS}
     order by e.position
     limit $2)
  select (select count(*) from matching)::int as count,
         case when jsonb_typeof(f.metadata->'occurredAt') = 'string' then f.metadata->>'occurredAt' end as occurred_at,
         (extract(epoch from f.created_at) * 1000)::float8 as created_at_ms
    from (select min(position) as position from matching) first
    left join es_events f on f.position = first.position`;

/** $1 = inclusive upper bound (null = the end), $2 = limit, $3/$4 = prefixes. */
export const READ_ALL_BACKWARDS = `
  select ${EVENT_COLUMNS} from es_events e
   where e.position <= coalesce($1::bigint, 9223372036854775807) ${FILTERS}
   order by e.position desc
   limit $2`;

/** The position of the newest event, -1 when there is none. */
export const HEAD_POSITION = 'select coalesce(max(position), -1)::text as head from es_events';

/** The lowest revision a stream read may return, from soft delete and the stream's metadata. */
const FIRST_VISIBLE = `greatest(
    s.deleted_before,
    coalesce(s.truncate_before, 0),
    coalesce(s.revision - s.max_count + 1, 0))`;

const STREAM_WINDOW = `
   e.stream_name = s.stream_name
   and e.revision >= ${FIRST_VISIBLE}
   and (s.max_age_seconds is null or e.created_at >= now() - make_interval(secs => s.max_age_seconds))`;

/** $1 = stream, $2 = from revision (inclusive; null = the end), $3 = limit. */
export const READ_STREAM_FORWARDS = `
  select s.tombstoned, s.revision::text as head, s.deleted_before::text as deleted_before, e.*
    from es_streams s left join lateral (
      select ${EVENT_COLUMNS} from es_events e
       where ${STREAM_WINDOW} and e.revision >= coalesce($2, s.revision + 1)
       order by e.revision
       limit $3
    ) e on true
   where s.stream_name = $1`;

export const READ_STREAM_BACKWARDS = `
  select s.tombstoned, s.revision::text as head, s.deleted_before::text as deleted_before, e.*
    from es_streams s left join lateral (
      select ${EVENT_COLUMNS} from es_events e
       where ${STREAM_WINDOW} and e.revision <= coalesce($2, s.revision)
       order by e.revision desc
       limit $3
    ) e on true
   where s.stream_name = $1`;

/** Every stored event of a stream, whatever the metadata hides: what the hash chain covers. */
export const READ_STREAM_RAW = `
  select ${EVENT_COLUMNS} from es_events e
   where e.stream_name = $1 and e.revision > $2
   order by e.revision
   limit $3`;
