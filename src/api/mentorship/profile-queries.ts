import type pg from 'pg';
import { sortKey } from '../shared/sql.ts';

export interface MentorProfileRow {
  user_id: string;
  subjects: { subject: string; level: string }[];
  styles: string[];
  languages: string[];
  availability: { day: number; start: string; end: string }[];
  time_zone: string;
  capacity: number;
  active_mentees: number;
  accepting: boolean;
  last_offered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface LearnerProfileRow {
  user_id: string;
  goals: string[] | null;
  subjects: string[];
  preferred_style: string | null;
  languages: string[];
  availability: { day: number; start: string; end: string }[];
  time_zone: string;
  created_at: Date;
  updated_at: Date;
}

export async function findMentorProfile(pool: pg.Pool, userId: string) {
  const { rows } = await pool.query<MentorProfileRow>(
    `select user_id, subjects, styles, languages, availability, time_zone, capacity, active_mentees,
            accepting, last_offered_at, created_at, updated_at, ${sortKey('updated_at')}
       from mentor_profiles where user_id = $1`,
    [userId],
  );
  return rows[0];
}

export async function findLearnerProfile(pool: pg.Pool, userId: string) {
  const { rows } = await pool.query<LearnerProfileRow>(
    `select user_id, goals, subjects, preferred_style, languages, availability, time_zone, created_at, updated_at
       from learner_profiles where user_id = $1`,
    [userId],
  );
  return rows[0];
}
