import { apiKeyDecider } from '../../domain/identity/api-key-decider.ts';
import { apiKeyEventCatalogue } from '../../domain/identity/api-key-events.ts';
import { sessionDecider } from '../../domain/identity/session-decider.ts';
import { sessionEventCatalogue } from '../../domain/identity/session-events.ts';
import { userDecider } from '../../domain/identity/user-decider.ts';
import { userEventCatalogue } from '../../domain/identity/user-events.ts';

/** The identity context's aggregates as the command pipeline sees them. */
export const users = { decider: userDecider, catalogue: userEventCatalogue };
export const sessions = { decider: sessionDecider, catalogue: sessionEventCatalogue };
export const apiKeys = { decider: apiKeyDecider, catalogue: apiKeyEventCatalogue };
