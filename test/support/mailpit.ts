import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Reading what the run's Mailpit caught, through its REST API (`/api/v1`). The whole run shares one
 * Mailpit, so tests find their e-mails by recipient: give every test its own address.
 */
export interface Message {
  /** Mailpit's id of the stored message. */
  id: string;
  /** The Message-ID header, without its angle brackets (as Mailpit gives it). */
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Header name → values, as received (names as Mailpit reports them, e.g. `List-Unsubscribe`). */
  headers: Record<string, string[]>;
  /** When Mailpit received it. */
  created: string;
}

interface Address {
  Address: string;
  Name: string;
}

interface SearchResult {
  messages: { ID: string; Created: string }[];
}

interface MessageDetail {
  ID: string;
  MessageID: string;
  From: Address;
  To: Address[];
  Subject: string;
  Text: string;
  HTML: string;
}

/** Every message addressed to `to`, oldest first, with its text, HTML and headers. */
export async function mailpitMessages(apiUrl: string, { to }: { to: string }): Promise<Message[]> {
  const query = new URLSearchParams({ query: `to:"${to}"`, limit: '500' });
  const found = await getJson<SearchResult>(`${apiUrl}/api/v1/search?${query}`);
  const messages = await Promise.all(found.messages.map((summary) => readMessage(apiUrl, summary)));
  // Search matches the address anywhere in To (a prefix of a longer address too): keep exact ones.
  return messages
    .filter((message) => message.to.some((address) => address.toLowerCase() === to.toLowerCase()))
    .sort((a, b) => a.created.localeCompare(b.created));
}

/** Waits until a message to `to` (matching `predicate`, when given) has arrived; fails after `timeoutMs`. */
export async function waitForEmail(
  apiUrl: string,
  to: string,
  predicate: (message: Message) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Message> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = (await mailpitMessages(apiUrl, { to })).find(predicate);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no matching e-mail to ${to} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function readMessage(apiUrl: string, summary: { ID: string; Created: string }): Promise<Message> {
  const [detail, headers] = await Promise.all([
    getJson<MessageDetail>(`${apiUrl}/api/v1/message/${summary.ID}`),
    getJson<Record<string, string[]>>(`${apiUrl}/api/v1/message/${summary.ID}/headers`),
  ]);
  return {
    id: detail.ID,
    messageId: detail.MessageID,
    from: detail.From.Address,
    to: (detail.To ?? []).map((address) => address.Address),
    subject: detail.Subject,
    text: detail.Text,
    html: detail.HTML,
    headers,
    created: summary.Created,
  };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`Mailpit answered ${response.status} to GET ${url}`);
  return (await response.json()) as T;
}
