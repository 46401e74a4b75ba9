/**
 * Who receives a published event type:
 * - `readers`: every caller of the integrator stream (an API key with `events:read`, or an admin);
 * - `admins`: admins' access tokens and API keys whose owner is an admin, and no one else.
 *
 * The stream is not filtered per record: a type goes to everyone in its audience, whatever brand,
 * owner or participant its events concern. So types of contexts whose records are readable only
 * by some users in the API (a brand's members, an asset's owner, a session's participants) are
 * for admins; members of a brand follow it through the GraphQL subscriptions, which check access.
 */
export type EventAudience = 'readers' | 'admins';

export interface Publication {
  audience: EventAudience;
  /**
   * The data fields integrators receive; each must be in the domain definition's `publicFields`.
   * Personal ones among them are marked in the schemas and are null once the person is forgotten.
   */
  fields: readonly string[];
}

const readers = (...fields: string[]): Publication => ({ audience: 'readers', fields });
const admins = (...fields: string[]): Publication => ({ audience: 'admins', fields });

/**
 * Every event type integrators may receive, with what of it they receive. A type that is not here
 * is not published; NOT_PUBLISHED says why for each (docs/integrators.md has the whole table).
 */
export const PUBLISHED_EVENTS: Readonly<Record<string, Publication>> = {
  // Identity: users as the platform knows them. E-mail addresses, password and token hashes never go.
  UserRegistered: readers('userId', 'displayName', 'role', 'at'),
  UserProfileChanged: readers('userId', 'displayName', 'bio'),
  UserRoleChanged: readers('userId', 'role', 'previousRole'),
  UserDeactivated: readers('userId'),
  UserForgotten: readers('userId', 'at'),

  // Brands. Channels are left out: a webhook URL is a capability URL (many carry a token in their
  // path). BrandUpdated's `changes` may hold channels, and fields are picked at the top level only,
  // so it says which brand changed; read the brand through the API.
  BrandCreated: admins(
    'brandId',
    'createdBy',
    'name',
    'description',
    'identity',
    'country',
    'language',
    'allowedContentTypes',
    'workflow',
  ),
  BrandUpdated: admins('brandId'),
  BrandArchived: admins('brandId', 'archivedBy', 'reason'),
  BrandMemberAdded: admins('brandId', 'userId', 'role', 'addedBy'),
  BrandMemberRoleChanged: admins('brandId', 'userId', 'role', 'changedBy'),
  BrandMemberRemoved: admins('brandId', 'userId', 'removedBy'),
  MasterClaimAdded: admins('brandId', 'claimId', 'country', 'text', 'addedBy'),
  MasterClaimRemoved: admins('brandId', 'claimId', 'removedBy'),

  // Content: brand material. Channels (webhook URLs) and a webhook's `location` (its URL, or the
  // receiver's Location header) are left out.
  ContentCreated: admins(
    'contentId',
    'brandId',
    'type',
    'templateId',
    'title',
    'fields',
    'metadata',
    'authorId',
    'version',
  ),
  ContentUpdated: admins('contentId', 'version', 'title', 'fields', 'metadata', 'authorId', 'restoredFrom'),
  ContentSubmitted: admins('contentId', 'version', 'submittedBy', 'steps'),
  ContentStepApproved: admins('contentId', 'version', 'step', 'stepName', 'approvedBy', 'comment'),
  ContentApproved: admins('contentId', 'version'),
  ContentRejected: admins('contentId', 'version', 'step', 'rejectedBy', 'reason'),
  ContentPublishRequested: admins('contentId', 'publicationId', 'version', 'requestedBy', 'publishAt'),
  ContentPublishCancelled: admins('contentId', 'publicationId', 'cancelledBy'),
  ContentPublishStarted: admins('contentId', 'publicationId'),
  ContentPublishStepRecorded: admins('contentId', 'publicationId', 'step', 'outcome', 'detail'),
  ContentMetadataGenerated: admins('contentId', 'publicationId', 'metadata', 'previous'),
  ContentMetadataReverted: admins('contentId', 'publicationId', 'metadata'),
  ContentChannelPublished: admins('contentId', 'publicationId', 'channelId', 'kind'),
  ContentChannelUnpublished: admins('contentId', 'publicationId', 'channelId', 'kind'),
  ContentChannelDeliveryAttempted: admins(
    'contentId',
    'publicationId',
    'channelId',
    'attempt',
    'outcome',
    'failure',
  ),
  ContentChannelFailed: admins('contentId', 'publicationId', 'channelId', 'kind', 'failure'),
  ContentStakeholdersNotified: admins('contentId', 'publicationId', 'outcome', 'recipients'),
  ContentPublished: admins('contentId', 'publicationId', 'version', 'publishedAt'),
  ContentPublishFailed: admins('contentId', 'publicationId', 'stage', 'reasons'),
  ContentUnpublished: admins('contentId', 'unpublishedBy', 'reason'),
  ContentArchived: admins('contentId', 'archivedBy'),

  // AI generations: what was asked and how it went; the generated text stays with the content.
  AIGenerationRequested: admins(
    'requestId',
    'kind',
    'brandId',
    'contentId',
    'requestedBy',
    'provider',
    'model',
    'at',
  ),
  AIGenerationCompleted: admins(
    'requestId',
    'provider',
    'model',
    'label',
    'promptTokens',
    'completionTokens',
    'totalTokens',
    'durationMs',
    'attempts',
    'at',
  ),
  AIGenerationFailed: admins(
    'requestId',
    'provider',
    'model',
    'errorCode',
    'message',
    'durationMs',
    'attempts',
    'at',
  ),

  // Media: an asset's life. The uploader's file name is left out (people name files after people);
  // storage keys and the rendition manifest never leave the backend (the domain withholds them).
  MediaUploadRequested: admins('assetId', 'ownerId', 'kind', 'contentType', 'declaredSize', 'expiresAt'),
  MediaUploaded: admins('assetId', 'size', 'sha256', 'detectedContentType'),
  MediaProcessingStarted: admins('assetId'),
  MediaProcessingProgressed: admins('assetId', 'step', 'detail', 'percent'),
  MediaProbed: admins(
    'assetId',
    'formatName',
    'durationSeconds',
    'width',
    'height',
    'videoCodec',
    'audioCodec',
    'bitrate',
  ),
  MediaModerated: admins('assetId', 'checker', 'decision', 'reasons'),
  MediaReady: admins('assetId'),
  MediaProcessingFailed: admins('assetId', 'stage', 'reason'),
  MediaDeleted: admins('assetId', 'deletedBy'),

  // Video posts: who posted which asset and its visibility, never a post's words (private posts too).
  VideoPostCreated: admins('postId', 'ownerId', 'assetId', 'visibility'),
  VideoPostUpdated: admins('postId'),
  VideoPostDeleted: admins('postId', 'deletedBy'),

  // Social graph: who follows whom, as ids. For admins: the API hides a follow from people either
  // side blocked, which an unfiltered stream could not.
  UserFollowed: admins('followerId', 'followeeId'),
  UserUnfollowed: admins('followerId', 'followeeId'),
  // Profiles: the username (personal: null once its person is forgotten) and which image is the avatar.
  UsernameChanged: admins('userId', 'username'),
  ProfileAvatarSet: admins('userId', 'assetId'),
  ProfileAvatarRemoved: admins('userId'),

  // Social engagement: which content is liked, commented on and shared, by ids; the words of
  // comments stay out (a comment later hidden by moderators must not have travelled already).
  ContentLiked: admins('userId', 'targetKind', 'targetId'),
  ContentUnliked: admins('userId', 'targetKind', 'targetId'),
  CommentPosted: admins('commentId', 'videoId', 'authorId', 'parentId', 'rootId'),
  CommentEdited: admins('commentId', 'videoId'),
  CommentDeleted: admins('commentId', 'videoId', 'deletedBy'),
  CommentsTurnedOff: admins('videoId'),
  CommentsTurnedOn: admins('videoId'),
  VideoShared: admins('shareId', 'videoId', 'platform'),

  // Chat: that conversations exist and messages flow in them, by ids. Who talks to whom, who wrote
  // what and the words themselves stay out; receipts and settings are not published (NOT_PUBLISHED).
  ChatConversationStarted: admins('conversationId', 'kind'),
  ChatMembersAdded: admins('conversationId'),
  ChatMemberRemoved: admins('conversationId'),
  ChatMemberLeft: admins('conversationId'),
  ChatMemberRoleChanged: admins('conversationId'),
  ChatConversationDetailsChanged: admins('conversationId'),
  ChatMessageSent: admins('messageId', 'conversationId'),
  ChatMessageEdited: admins('messageId', 'conversationId'),
  ChatMessageDeleted: admins('messageId', 'conversationId'),
  ChatReactionAdded: admins('messageId', 'conversationId'),
  ChatReactionRemoved: admins('messageId', 'conversationId'),

  // Communities (EduConnect): what happens in which community, by ids, so an integrator can count,
  // index and erase per community. Who is in a community and who wrote, answered or passed what
  // stays out (an invite-only community's members are its own business; a learner's results are
  // theirs, their mentor's and their moderators'); posts' words stay out as comments' do (a post a
  // moderator removes must not have travelled already), and so do questions and answers.
  // What a directory shows of a community goes (the description as a marked personal field: null
  // once the community is erased), and its erasure, so a copy can be erased too.
  CommunityCreated: admins('communityId', 'name', 'description', 'language', 'region', 'visibility'),
  CommunitySettingsChanged: admins('communityId', 'name', 'description', 'language', 'region', 'visibility'),
  CommunityErased: admins('communityId'),
  // Enough to count members; who they are stays out.
  CommunityMemberJoined: admins('communityId'),
  CommunityMemberLeft: admins('communityId'),
  CommunityMemberBanned: admins('communityId'),
  CommunityThreadStarted: admins('communityId', 'postId'),
  CommunityReplyPosted: admins('communityId', 'postId', 'threadId', 'parentId', 'depth'),
  CommunityPostEdited: admins('communityId', 'postId', 'threadId'),
  CommunityPostDeleted: admins('communityId', 'postId', 'threadId'),
  CommunityPostRemoved: admins('communityId', 'postId', 'threadId'),
  CommunityThreadPinned: admins('communityId', 'postId', 'threadId'),
  CommunityThreadUnpinned: admins('communityId', 'postId', 'threadId'),
  LearningPathCreated: admins('communityId', 'pathId'),
  LearningPathUpdated: admins('communityId', 'pathId'),
  LearningPathModulesOrdered: admins('communityId', 'pathId', 'moduleIds'),
  LearningPathPublished: admins('communityId', 'pathId', 'version', 'moduleIds'),
  LearningModuleDrafted: admins('communityId', 'pathId', 'moduleId', 'version'),
  LearningModuleRevised: admins('communityId', 'pathId', 'moduleId', 'version'),
  LearningModulePublished: admins('communityId', 'pathId', 'moduleId', 'version'),
  CheckpointDrafted: admins('communityId', 'pathId', 'moduleId', 'checkpointId', 'version', 'source'),
  CheckpointRevised: admins('communityId', 'pathId', 'moduleId', 'checkpointId', 'version', 'source'),
  CheckpointApproved: admins('communityId', 'checkpointId', 'version'),
  // Results without the learner: pass rates per checkpoint, never whose.
  CheckpointAttemptSubmitted: admins(
    'communityId',
    'pathId',
    'moduleId',
    'checkpointId',
    'checkpointVersion',
    'attemptId',
    'attemptNumber',
    'score',
    'maxScore',
    'passMark',
    'passed',
  ),
  CheckpointAttemptGraded: admins('communityId', 'checkpointId', 'attemptId', 'score', 'passed'),
  LearningModuleCompleted: admins('communityId', 'pathId', 'moduleId'),
  // How far through a module, never whose: as completions.
  LearningModuleProgressed: admins('communityId', 'pathId', 'moduleId', 'percent'),

  // Mentorship: only what a mentor offers to be matched on. Availability and time zone (a person's
  // routine and whereabouts) are left out; everything about learners, matches, sessions, calendars
  // and conversations is not published (see NOT_PUBLISHED).
  MentorProfileUpserted: admins('mentorId', 'subjects', 'styles', 'languages', 'capacity', 'accepting'),
};
