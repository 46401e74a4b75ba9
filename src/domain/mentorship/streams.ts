/** Stream names, `<category>-<uuid>` so EventStoreDB's `$ce-<category>` projections work. */

/** A mentor's profile and mentees; the stream id is the user id. */
export const mentorStream = (userId: string) => `mentor-${userId}`;
/** A learner's profile; the stream id is the user id. */
export const learnerStream = (userId: string) => `learner-${userId}`;
export const matchRequestStream = (requestId: string) => `matchrequest-${requestId}`;
export const mentorSessionStream = (sessionId: string) => `mentorsession-${sessionId}`;
/** A person's mentorship calendar (booked session times); the stream id is the user id. */
export const calendarStream = (userId: string) => `calendar-${userId}`;
export const mentorConversationStream = (conversationId: string) => `mentorconversation-${conversationId}`;
