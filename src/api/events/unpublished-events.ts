/**
 * Every domain event type that integrators never receive, with why. A type is either here or in
 * PUBLISHED_EVENTS (the catalogue test checks every domain catalogue), so a new event type is a
 * decision someone makes rather than something that leaks or goes missing by default.
 */
export const NOT_PUBLISHED: Readonly<Record<string, string>> = {
  // Identity: sign-in, credentials and sessions.
  UserPasswordChanged: 'holds a password hash',
  LoginFailed: 'sign-in activity of a person',
  AccountLocked: 'sign-in activity of a person',
  LoginSucceeded: 'sign-in activity of a person; holds a backup code hash',
  UserSessionsRevoked: 'session management of a person',
  TotpEnrollmentStarted: 'holds a second-factor secret',
  TotpEnabled: 'holds backup code hashes',
  SessionStarted: 'holds a refresh token hash; says when a person signed in',
  SessionRefreshed: 'holds a refresh token hash',
  RefreshTokenReuseDetected: 'security signal about a person’s session',
  SessionRevoked: 'session management of a person',
  ApiKeyCreated: 'holds an API key hash',
  ApiKeyRevoked: 'API keys are their owner’s business',

  // Identity: account recovery and passkeys. The links' tokens are never in events, but when a
  // person asked for a link, verified their address or reset their password is their account's
  // business (and a reset request may be a stranger's attempt on it); a passkey is a credential.
  EmailVerificationRequested: 'account recovery of a person (when a link went to their address)',
  UserEmailVerified:
    'about the person’s e-mail address, which integrators never receive; shown to the user and admins only',
  PasswordResetRequested: 'account recovery of a person; may be a stranger’s attempt on the account',
  UserPasswordReset: 'holds a password hash',
  PasskeyRegistered: 'holds a credential public key; how a person signs in',
  PasskeyUsed: 'sign-in activity of a person',
  PasskeyCloneSuspected: 'security signal about a person’s credential',
  PasskeyRemoved: 'how a person signs in is their business',

  // Brands: invitations are addressed to an e-mail address (kept as a hash and a masked hint).
  BrandInvitationSent: 'holds a hash and a masked form of the invitee’s e-mail address',
  BrandInvitationAccepted: 'invitations are between a brand’s admins and the invitee',
  BrandInvitationDeclined: 'invitations are between a brand’s admins and the invitee',
  BrandInvitationRevoked: 'invitations are between a brand’s admins and the invitee',

  // Mentorship: who is mentored by whom, when and about what is between the people involved.
  MenteeAdded: 'names a learner and their mentor',
  MenteeReleased: 'names a learner and their mentor',
  LearnerProfileUpserted: 'a learner’s goals (free text), subjects and availability',
  MatchRequested: 'a learner’s request and note to mentors (free text)',
  CandidatesRanked: 'matching internals about one learner’s request',
  MentorOffered: 'names a learner and a mentor',
  OfferAccepted: 'a mentor’s answer to one learner',
  OfferDeclined: 'a mentor’s answer and reason (free text)',
  OfferExpired: 'a mentor’s answer to one learner',
  MentorSkipped: 'matching internals about one learner’s request',
  MatchMade: 'names a learner and their mentor',
  MatchFailed: 'about one learner’s request',
  MatchRequestCancelled: 'about one learner’s request',
  FirstSessionTimesProposed: 'when two people are free',
  MentorshipSessionScheduled: 'when two named people meet, and their video room',
  MentorshipSessionStarted: 'when two people meet',
  MentorshipSessionEnded: 'when two people meet',
  MentorshipSessionCancelled: 'holds a cancellation reason (free text)',
  MentorshipSessionNotesAdded: 'holds session notes (free text)',
  MentorshipSessionRated: 'holds a person’s rating and comment (free text)',
  MentorshipSessionHoldExpired: 'scheduling internals',
  CalendarSlotBooked: 'when a person is busy',
  CalendarSlotReleased: 'when a person is busy',
  ConversationStarted: 'a learner’s conversations with the AI mentor are theirs alone',
  LearnerMessageSent: 'holds a learner’s message (free text)',
  MentorReplyRetried: 'a learner’s conversations with the AI mentor are theirs alone',
  MentorReplied: 'holds a reply quoting and answering a learner (free text)',
  MentorReplyFailed: 'a learner’s conversations with the AI mentor are theirs alone',

  // Social graph: a block is between the blocker and the blocked, shown to nobody else.
  UserBlocked: 'who a person blocked is theirs alone',
  UserUnblocked: 'who a person blocked is theirs alone',

  // Social moderation: who reported what and what moderators decided is between the platform, the
  // reporter and the author; what readers need of it (content gone from lists) they see there.
  ContentReported: 'names a reporter and what they reported',
  ContentHeldForReview: 'a moderation case, between the platform and the author',
  ContentHidden: 'a moderation case, between the platform and the author',
  ContentRestored: 'a moderation case, between the platform and the author',
  ReportsDismissed: 'a moderation case, between the platform and its reporters',

  // Chat: what a member received, read, muted or hid is theirs alone.
  ChatMessagesDelivered: 'what one person received in a conversation',
  ChatMessagesRead: 'what one person read in a conversation',
  ChatMemberSettingsChanged: 'one person’s settings of a conversation',
  ChatMessageHiddenForMe: 'what one person hid for themselves',

  // Communities: requests, invitations and roles are between a person and the community's
  // moderators; who found whose answer helpful feeds that person's trust score.
  CommunityJoinRequested: 'who asked to join a community, before anyone answered',
  CommunityJoinRequestDeclined: 'a community’s answer to one person',
  CommunityMemberInvited: 'who was invited to a community (an invite-only one is secret to others)',
  CommunityInvitationDeclined: 'one person’s answer to an invitation',
  CommunityMemberUnbanned: 'a moderation decision about one person',
  CommunityMemberRoleChanged: 'who moderates or mentors is the community’s business',
  CommunityPostMarkedHelpful: 'names who found whose answer helpful (a person’s trust score)',

  // Integrator webhooks: a webhook is its owner's business, and its URL often a capability URL.
  EventWebhookCreated: 'holds the webhook’s URL (often a capability URL); a webhook is its owner’s business',
  EventWebhookPaused: 'a webhook is its owner’s business',
  EventWebhookResumed: 'a webhook is its owner’s business',
  EventWebhookReplayRequested: 'a webhook is its owner’s business',
  EventWebhookSuspended: 'says why one person lost access',
  EventWebhookDeleted: 'a webhook is its owner’s business',
  EventWebhookDeliveryDeadLettered: 'delivery bookkeeping of one webhook; its owner reads it through the API',

  // Notifications: what a person is told, reads, mutes and where their devices are is theirs alone.
  // The notifications themselves are derived from published and unpublished events of other contexts.
  NotificationsMarkedRead: 'what one person read in their inbox',
  AllNotificationsMarkedRead: 'what one person read in their inbox',
  NotificationPreferencesChanged: 'one person’s time zone, quiet hours (when they sleep) and channels',
  DeviceRegistered: 'holds a push endpoint (a capability URL to the person’s browser) and its keys',
  DevicePushSubscriptionChanged: 'holds a push endpoint and its keys',
  DeviceDetailsChanged: 'a person’s devices are theirs alone',
  DeviceUnregistered: 'a person’s devices are theirs alone',
  SessionReminderDue: 'when two named people meet (as every MentorshipSession… event)',

  // Sync: what one person edited offline, on which device, and what of it the server overruled.
  SyncConflictQueued: 'one person’s offline edit and the server’s copy, for them to settle',
  SyncConflictResolved: 'how one person settled their own sync conflict',
  SyncChangeOverruled: 'what one person did offline that the server refused; told to them alone',

  // Audit: read through the audit queries, by auditors.
  AuditQueryRecorded: 'who looked at what; auditors read it through the audit queries',
  AuditAnchored: 'tamper evidence; published outside the database by `chronicle audit`',
};
