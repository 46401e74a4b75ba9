import { EVENT_COLUMNS } from './rows.ts';

/**
 * The reads, kept together so the visibility rule is in one place: `$all` is only ever read
 * below es_position_horizon(), in the same statement (same snapshot) that reads the events.
 */

/**
 * `position < horizon`, written so the planner cannot use it as an index bound. As a bound, its
 * row estimate comes from statistics, and on a table that grew faster than autovacuum analyses it
 * (a bulk import, a fresh store) the planner expected a few rows and chose to sort the whole
 * range: 270 ms a page instead of 10. As a filter on an ordered index scan, only the rows the
 * page returns are checked; the few above the horizon (still in flight) are read and skipped.
 */
const BELOW = (horizon: string) => `(e.position - ${horizon}) < 0`;

const FILTERS = `
    and ($3::text[] is null or e.stream_name ^@ any($3::text[]))
    and ($4::text[] is null or e.type ^@ any($4::text[]))`;

/** $1 = exclusive lower bound, $2 = limit, $3/$4 = stream / type prefixes. Also returns the horizon and head. */
export const READ_ALL_FORWARDS = `
  with h as (select es_position_horizon() as horizon)
  select h.horizon::text as horizon, (select max(position) from es_events)::text as head, e.*
    from h left join lateral (
      select ${EVENT_COLUMNS} from es_events e
       where e.position > $1 and ${BELOW('h.horizon')} ${FILTERS}
       order by e.position
       limit $2
    ) e on true`;

/** $1 = inclusive upper bound (null = the horizon), $2 = limit, $3/$4 = prefixes. */
export const READ_ALL_BACKWARDS = `
  select ${EVENT_COLUMNS} from es_events e
   where ${BELOW('es_position_horizon()')} and e.position <= coalesce($1::bigint, 9223372036854775807) ${FILTERS}
   order by e.position desc
   limit $2`;

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
