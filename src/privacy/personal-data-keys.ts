/**
 * Where the keys that encrypt personal data live: outside the event store, so a person can be
 * forgotten by destroying one key while the event history stays untouched.
 */
export interface SubjectKey {
  keyId: string;
  /** 32 bytes, for AES-256-GCM. */
  key: Buffer;
}

export interface KeyDestruction {
  /** The destroyed key's id; null when the subject never had a key. */
  keyId: string | null;
  destroyedAt: Date;
  alreadyDestroyed: boolean;
}

export interface PersonalDataKeys {
  /**
   * The subject's key, created on first use. Throws DomainError CONFLICT / SUBJECT_FORGOTTEN once
   * the key was destroyed: a forgotten person must never get new personal data.
   */
  keyFor(subject: string): Promise<SubjectKey>;
  /** The key to decrypt with; null when it was destroyed or never existed. */
  find(subject: string, keyId: string): Promise<Buffer | null>;
  /**
   * Destroys the subject's key for good. Idempotent. A subject that never had a key is marked as
   * destroyed anyway, so `keyFor` refuses it later.
   */
  destroy(subject: string): Promise<KeyDestruction>;
}
