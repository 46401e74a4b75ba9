/**
 * What the social context takes out of every read of video posts (detail, a user's list, search),
 * as a condition on `video_posts v`: a video a moderator hid or the text check held
 * (`social_hidden`), and every video of someone either side of a block with the viewer. The
 * owner still sees their own hidden videos (they are told why), and admins see everything.
 * `param` adds the viewer's id as a query parameter, and is called only when the condition uses it.
 */
export function socialVisibility(
  viewer: { admin: boolean; userId: string | null },
  param: (value: unknown) => string,
): string {
  if (viewer.admin) return 'true';
  const notHidden = `not exists (select 1 from social_hidden h where h.target_kind = 'video' and h.target_id = v.post_id)`;
  if (viewer.userId === null) return notHidden;
  const me = `${param(viewer.userId)}::uuid`;
  const notBlocked = `not exists (select 1 from social_blocks b
     where (b.blocker_id = v.owner_id and b.blocked_id = ${me}) or (b.blocker_id = ${me} and b.blocked_id = v.owner_id))`;
  return `(v.owner_id = ${me} or (${notHidden} and ${notBlocked}))`;
}
