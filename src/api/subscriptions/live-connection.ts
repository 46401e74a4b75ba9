import { setMaxListeners } from 'node:events';
import type { Authenticated } from '../auth/authenticate.ts';
import type { Admission } from './subscription-admission.ts';

/** The parts of a `ws` WebSocket a live connection uses (mercurius hands us the socket). */
export interface ClosableSocket {
  isOpen(): boolean;
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * One authenticated WebSocket: who is on it (re-checked while it lives), what it may still open, a
 * signal that fires when it closes (subscriptions stop their readers with it), and a way to close
 * it with a reason.
 */
export class LiveConnection {
  private readonly ended = new AbortController();
  private current: Authenticated;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly socket: ClosableSocket,
    authenticated: Authenticated,
    /** The `Authorization` value from `connection_init`, kept to re-check the session. */
    readonly authorization: string,
    /** What the connection may still open. */
    readonly admission: Admission,
  ) {
    this.current = authenticated;
    // Every open subscription on the socket listens here (at most maxSubscriptionsPerSocket, a
    // setting), plus the session watch: Node's default warning at 10 would fire in normal use.
    setMaxListeners(0, this.ended.signal);
    socket.once('close', () => this.ended.abort());
  }

  get signal(): AbortSignal {
    return this.ended.signal;
  }

  get authenticated(): Authenticated {
    return this.current;
  }

  /**
   * A re-check may find a new role; the actor follows it, as it would for a fresh request, and the
   * subscriptions on the connection are told, so each checks its access again.
   */
  update(authenticated: Authenticated): void {
    const changed = JSON.stringify(authenticated.actor) !== JSON.stringify(this.current.actor);
    this.current = authenticated;
    if (changed) for (const listener of this.listeners) listener();
  }

  /** Called after each change of the caller; returns the way to stop listening. */
  onUpdate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(code: number, reason: string): void {
    if (this.ended.signal.aborted) return;
    this.ended.abort();
    this.socket.close(code, reason);
  }
}

/** `WebSocket.OPEN` in every implementation. */
const OPEN = 1;

/**
 * Mercurius calls `onConnect` as a method of its connection object, which holds the socket. The
 * shape is checked here (not assumed), so a mercurius upgrade that changes it refuses connections
 * instead of leaving them unwatched.
 */
export function socketOf(connection: unknown): ClosableSocket | undefined {
  if (typeof connection !== 'object' || connection === null || !('socket' in connection)) return undefined;
  const { socket } = connection;
  if (typeof socket !== 'object' || socket === null || !('close' in socket) || !('once' in socket)) {
    return undefined;
  }
  const { close, once } = socket;
  if (typeof close !== 'function' || typeof once !== 'function') return undefined;
  return {
    isOpen: () => 'readyState' in socket && socket.readyState === OPEN,
    close: (code, reason) => {
      Reflect.apply(close, socket, [code, reason]);
    },
    once: (event, listener) => Reflect.apply(once, socket, [event, listener]),
  };
}
