import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/shared/decider.ts';
import { videoPostDecider } from '../../../src/domain/videos/video-post-decider.ts';
import { anIntegration, anonymous, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';
import {
  ADMIN_ID,
  admin,
  cleanup,
  create,
  created,
  deleted,
  details,
  gone,
  live,
  moderator,
  now,
  OWNER_ID,
  owner,
  POST_ID,
  readyVideo,
  remove,
  STRANGER_ID,
  stranger,
  update,
  updated,
} from './video-fixtures.ts';

const spec = deciderSpec(videoPostDecider);

describe('creating a video post', () => {
  it('posts a ready video its owner uploaded', () => {
    spec.given([]).when(create(), owner).then([created()]);
  });

  it('is public with no description and no tags when only a title is given', () => {
    spec
      .given([])
      .when(create({ description: undefined, tags: undefined, visibility: undefined }), owner)
      .then([created({ description: '', tags: [], visibility: 'public' })]);
  });

  it('may be posted through an API key, for the key’s owner', () => {
    spec
      .given([])
      .when(create(), by(anIntegration(OWNER_ID, ['graphql:write']), now))
      .then([created()]);
  });

  it('trims the title', () => {
    spec
      .given([])
      .when(create({ title: '  Kickflip at the river \n' }), owner)
      .then([created()]);
  });

  it('normalises tags: lower case, no leading #, whitespace collapsed, duplicates dropped', () => {
    spec
      .given([])
      .when(create({ tags: ['#Skate', ' KICKFLIP ', 'skate', 'Street   Skating'] }), owner)
      .then([created({ tags: ['skate', 'kickflip', 'street skating'] })]);
  });

  it('records each visibility as asked', () => {
    for (const visibility of ['public', 'unlisted', 'private'] as const) {
      spec
        .given([])
        .when(create({ visibility }), owner)
        .then([created({ visibility })]);
    }
  });

  it('refuses an asset that does not exist', () => {
    spec
      .given([])
      .when(create({ asset: null }), owner)
      .thenThrows('NOT_FOUND', 'MEDIA_NOT_FOUND');
  });

  it('refuses facts about another asset than the one named', () => {
    spec
      .given([])
      .when(create({ asset: readyVideo({ assetId: POST_ID }) }), owner)
      .thenThrows('NOT_FOUND', 'MEDIA_NOT_FOUND');
  });

  it('refuses someone else’s video, even to an admin', () => {
    spec.given([]).when(create(), stranger).thenThrows('FORBIDDEN', 'NOT_ASSET_OWNER');
    spec.given([]).when(create(), admin).thenThrows('FORBIDDEN', 'NOT_ASSET_OWNER');
  });

  it('refuses an asset that is not a video', () => {
    for (const kind of ['image', 'audio', 'file'] as const) {
      spec
        .given([])
        .when(create({ asset: readyVideo({ kind }) }), owner)
        .thenThrows('VALIDATION', 'NOT_A_VIDEO');
    }
  });

  it('refuses a video that has not finished processing', () => {
    for (const status of ['requested', 'uploaded', 'processing', 'failed'] as const) {
      spec
        .given([])
        .when(create({ asset: readyVideo({ status }) }), owner)
        .thenThrows('CONFLICT', 'MEDIA_NOT_READY');
    }
  });

  it('refuses a deleted video', () => {
    spec
      .given([])
      .when(create({ asset: readyVideo({ status: 'deleted' }) }), owner)
      .thenThrows('NOT_FOUND', 'MEDIA_DELETED');
  });

  it('checks ownership before anything else about the asset', () => {
    spec
      .given([])
      .when(create({ asset: readyVideo({ kind: 'image', status: 'processing' }) }), stranger)
      .thenThrows('FORBIDDEN', 'NOT_ASSET_OWNER');
  });

  it('is for people: anonymous callers sign in first, system processes never post', () => {
    spec.given([]).when(create(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    spec.given([]).when(create(), cleanup).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });

  it('refuses a title that is empty or longer than 200 characters', () => {
    spec
      .given([])
      .when(create({ title: '   ' }), owner)
      .thenThrows('VALIDATION', 'INVALID_TITLE');
    spec
      .given([])
      .when(create({ title: 'x'.repeat(201) }), owner)
      .thenThrows('VALIDATION', 'INVALID_TITLE');
    spec
      .given([])
      .when(create({ title: 'x'.repeat(200) }), owner)
      .then([created({ title: 'x'.repeat(200) })]);
  });

  it('refuses a description longer than 5000 characters', () => {
    spec
      .given([])
      .when(create({ description: 'x'.repeat(5001) }), owner)
      .thenThrows('VALIDATION', 'INVALID_DESCRIPTION');
    spec
      .given([])
      .when(create({ description: 'x'.repeat(5000) }), owner)
      .then([created({ description: 'x'.repeat(5000) })]);
  });

  it('refuses more than 20 distinct tags, counted after normalising', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `tag${i}`);
    spec
      .given([])
      .when(create({ tags: [...twenty, 'tag21'] }), owner)
      .thenThrows('VALIDATION', 'TOO_MANY_TAGS');
    spec
      .given([])
      .when(create({ tags: [...twenty, 'TAG0', '#tag1'] }), owner)
      .then([created({ tags: twenty })]);
  });

  it('refuses a tag that is empty or longer than 50 characters', () => {
    spec
      .given([])
      .when(create({ tags: ['skate', ' # '] }), owner)
      .thenThrows('VALIDATION', 'INVALID_TAG');
    spec
      .given([])
      .when(create({ tags: ['x'.repeat(51)] }), owner)
      .thenThrows('VALIDATION', 'TAG_TOO_LONG');
    spec
      .given([])
      .when(create({ tags: ['X'.repeat(50)] }), owner)
      .then([created({ tags: ['x'.repeat(50)] })]);
  });

  it('refuses a visibility it does not know', () => {
    const command = { ...create(), visibility: 'friends' } as unknown as ReturnType<typeof create>;
    spec.given([]).when(command, owner).thenThrows('VALIDATION', 'INVALID_VISIBILITY');
  });

  it('refuses to create a post that already exists, even a deleted one', () => {
    spec.given(live()).when(create(), owner).thenThrows('CONFLICT', 'VIDEO_POST_EXISTS');
    spec.given(gone()).when(create(), owner).thenThrows('CONFLICT', 'VIDEO_POST_EXISTS');
  });
});

describe('editing a video post', () => {
  it('records only the parts that changed', () => {
    spec
      .given(live())
      .when(
        update({
          title: 'Kickflip, finally',
          description: details.description,
          tags: ['#Skate', 'kickflip'],
        }),
        owner,
      )
      .then([updated({ title: 'Kickflip, finally' })]);
  });

  it('changes every part at once', () => {
    const changes = {
      title: 'Heelflip',
      description: '',
      tags: ['heelflip'],
      visibility: 'private' as const,
    };
    spec
      .given(live())
      .when(update(changes), owner)
      .then([updated(changes)]);
  });

  it('edits from the post as the earlier edits left it', () => {
    spec
      .given([...live(), updated({ visibility: 'unlisted', tags: [] })])
      .when(update({ visibility: 'unlisted', tags: [] }), owner)
      .thenNothing();
    spec
      .given([...live(), updated({ visibility: 'unlisted' })])
      .when(update({ visibility: 'public' }), owner)
      .then([updated({ visibility: 'public' })]);
  });

  it('decides nothing when nothing changes', () => {
    spec.given(live()).when(update({}), owner).thenNothing();
    spec.given(live()).when(update(details), owner).thenNothing();
  });

  it('may be done by a platform admin or a system process, but not by anyone else', () => {
    spec
      .given(live())
      .when(update({ title: 'Moderated' }), admin)
      .then([updated({ title: 'Moderated' })]);
    spec
      .given(live())
      .when(update({ title: 'Moderated' }), cleanup)
      .then([updated({ title: 'Moderated' })]);
    spec
      .given(live())
      .when(update({ title: 'Mine now' }), stranger)
      .thenThrows('FORBIDDEN', 'NOT_VIDEO_OWNER');
    spec
      .given(live())
      .when(update({ title: 'Mine now' }), moderator)
      .thenThrows('FORBIDDEN', 'NOT_VIDEO_OWNER');
    spec
      .given(live())
      .when(update({ title: 'Mine now' }), by(anIntegration(STRANGER_ID, ['graphql:write']), now))
      .thenThrows('FORBIDDEN', 'NOT_VIDEO_OWNER');
    spec
      .given(live())
      .when(update({ title: 'Anyone?' }), by(anonymous, now))
      .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
  });

  it('holds edits to the same rules as creation', () => {
    spec
      .given(live())
      .when(update({ title: '' }), owner)
      .thenThrows('VALIDATION', 'INVALID_TITLE');
    spec
      .given(live())
      .when(update({ description: 'x'.repeat(5001) }), owner)
      .thenThrows('VALIDATION', 'INVALID_DESCRIPTION');
    spec
      .given(live())
      .when(update({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }), owner)
      .thenThrows('VALIDATION', 'TOO_MANY_TAGS');
    spec
      .given(live())
      .when(update({ tags: ['x'.repeat(51)] }), owner)
      .thenThrows('VALIDATION', 'TAG_TOO_LONG');
  });

  it('refuses a post that does not exist or was deleted', () => {
    spec
      .given([])
      .when(update({ title: 'Hello' }), owner)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
    spec
      .given(gone())
      .when(update({ title: 'Back' }), owner)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_DELETED');
    spec
      .given(gone())
      .when(update({ title: 'Back' }), admin)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_DELETED');
  });
});

describe('deleting a video post', () => {
  it('is done by the owner', () => {
    spec
      .given(live())
      .when(remove, owner)
      .then([deleted(OWNER_ID)]);
  });

  it('may be done by a platform admin or a system process, recorded as such', () => {
    spec
      .given(live())
      .when(remove, admin)
      .then([deleted(ADMIN_ID)]);
    spec
      .given(live())
      .when(remove, cleanup)
      .then([deleted('system:media-cleanup')]);
  });

  it('is refused to anyone else', () => {
    spec.given(live()).when(remove, stranger).thenThrows('FORBIDDEN', 'NOT_VIDEO_OWNER');
    spec.given(gone()).when(remove, stranger).thenThrows('FORBIDDEN', 'NOT_VIDEO_OWNER');
  });

  it('is terminal: deleting again decides nothing', () => {
    spec.given(gone()).when(remove, owner).thenNothing();
    spec.given(gone()).when(remove, admin).thenNothing();
  });

  it('refuses a post that does not exist', () => {
    spec.given([]).when(remove, owner).thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
  });
});

describe('the video post state', () => {
  it('folds every change into the current post', () => {
    const state = fold(videoPostDecider, [
      created(),
      updated({ title: 'Heelflip', tags: ['heelflip'] }),
      updated({ visibility: 'private' }),
    ]);
    expect(state).toEqual({
      status: 'active',
      postId: POST_ID,
      ownerId: OWNER_ID,
      assetId: created().data.assetId,
      title: 'Heelflip',
      description: details.description,
      tags: ['heelflip'],
      visibility: 'private',
    });
    expect(fold(videoPostDecider, gone())).toMatchObject({ status: 'deleted', title: details.title });
  });

  it('ignores changes to a post it never saw created', () => {
    expect(fold(videoPostDecider, [updated({ title: 'Orphan' }), deleted()])).toEqual({ status: 'none' });
  });
});
