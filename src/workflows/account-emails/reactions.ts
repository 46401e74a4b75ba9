import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import { defineReaction, type RegisteredReaction } from '../process-manager/reaction.ts';
import { accountEmailWorkflowId, type SendAccountEmailInput } from './types.ts';

/**
 * Every verification or reset request starts one `sendAccountEmail` workflow, its id derived from
 * the event: a replayed event starts nothing new, and the delivery row keeps it to one e-mail.
 */
export function accountEmailReactions(options: { taskQueue: string }): RegisteredReaction[] {
  return [
    defineReaction({
      name: 'account-emails',
      catalogue: userEventCatalogue,
      eventTypes: ['EmailVerificationRequested', 'PasswordResetRequested'],
      react({ event, recorded }) {
        if (event.type !== 'EmailVerificationRequested' && event.type !== 'PasswordResetRequested') return [];
        const input: SendAccountEmailInput = {
          eventId: recorded.id,
          kind: event.type === 'EmailVerificationRequested' ? 'email_verification' : 'password_reset',
          userId: event.data.userId,
          requestId: event.data.requestId,
          expiresAt: event.data.expiresAt,
        };
        return [
          {
            kind: 'start',
            workflowType: 'sendAccountEmail',
            workflowId: accountEmailWorkflowId(recorded.id),
            taskQueue: options.taskQueue,
            args: [input],
          },
        ];
      },
    }),
  ];
}
