/**
 * Who may do what in a community: one table, read by every decision and every query of the
 * context. A platform role grants nothing here; only the role a person holds in this community.
 */
export const COMMUNITY_ROLES = ['owner', 'moderator', 'mentor', 'member'] as const;
export type CommunityRole = (typeof COMMUNITY_ROLES)[number];

export const COMMUNITY_PERMISSIONS = [
  /** See members, discussions, learning paths and one's own progress. */
  'community.read',
  /** Change the name, description, visibility, rules and trust minimums. */
  'community.edit_settings',
  'community.invite',
  'community.approve_requests',
  /** Ban and unban members (never the owner). */
  'community.ban',
  /** Make members moderators or mentors, or members again. */
  'community.assign_roles',
  /** Erase the community and everything in it (see docs/community-data.md). */
  'community.erase',
  'discussion.start_thread',
  'discussion.reply',
  'discussion.pin',
  /** Remove someone else's post, with a reason (counts against their trust). */
  'discussion.remove_post',
  /** Mark a reply helpful (the thread's author may too, whatever their role). */
  'discussion.mark_helpful',
  /** Create, edit and publish paths and modules; draft, generate and approve checkpoints. */
  'learning.publish',
  /** Complete modules and attempt checkpoints. */
  'learning.take',
  /** Grade reflections. */
  'checkpoint.grade',
  /** Progress aggregates of the whole community. */
  'progress.view_aggregates',
  /** The events behind anyone's trust score. */
  'trust.view_explanations',
] as const;
export type CommunityPermission = (typeof COMMUNITY_PERMISSIONS)[number];

const everyone: readonly CommunityPermission[] = [
  'community.read',
  'discussion.start_thread',
  'discussion.reply',
  'learning.take',
];
const teaching: readonly CommunityPermission[] = [
  ...everyone,
  'discussion.mark_helpful',
  'learning.publish',
  'checkpoint.grade',
];
const moderating: readonly CommunityPermission[] = [
  ...teaching,
  'community.invite',
  'community.approve_requests',
  'community.ban',
  'discussion.pin',
  'discussion.remove_post',
  'progress.view_aggregates',
  'trust.view_explanations',
];

/** The table itself: each role's permissions, written out so a reader sees them in one place. */
export const ROLE_PERMISSIONS: Readonly<Record<CommunityRole, ReadonlySet<CommunityPermission>>> = {
  member: new Set(everyone),
  mentor: new Set(teaching),
  moderator: new Set(moderating),
  owner: new Set([...moderating, 'community.edit_settings', 'community.assign_roles', 'community.erase']),
};

export function can(role: CommunityRole | null | undefined, permission: CommunityPermission): boolean {
  return role ? ROLE_PERMISSIONS[role].has(permission) : false;
}
