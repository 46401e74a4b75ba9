import { type DocumentNode, Kind, visit } from 'graphql';
import { validation } from '../../domain/shared/domain-error.ts';

/**
 * Refuses text holding the NUL character (U+0000) anywhere in a request: in a variable (at any
 * depth) or in a string literal of the document. PostgreSQL cannot store it in `text` or `jsonb`
 * and fails the statement, so without this check a NUL in any input surfaced as INTERNAL. No
 * legitimate text contains it. VALIDATION `INVALID_INPUT`, with the path of an offender.
 */
export function assertNoNulCharacters(
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): void {
  const inVariables = firstNulPath(variables ?? {});
  if (inVariables) throw refusal(['variables', ...inVariables]);
  if (!cleanDocuments.has(document)) {
    let literal = false;
    visit(document, {
      [Kind.STRING]: (node) => {
        if (node.value.includes('\u0000')) literal = true;
      },
    });
    if (literal) throw refusal(['query']);
    cleanDocuments.add(document);
  }
}

/** Parsed documents are cached and reused by query text: one without NUL literals is walked once. */
const cleanDocuments = new WeakSet<DocumentNode>();

const refusal = (path: string[]) =>
  validation('INVALID_INPUT', `Invalid input (${path.join('.')}: text may not contain the NUL character)`, {
    issues: [{ path, message: 'text may not contain the NUL character' }],
  });

/** The path to a string holding U+0000 (keys too), if any; walked without recursion. */
export function firstNulPath(root: unknown): string[] | undefined {
  const pending: { value: unknown; path: string[] }[] = [{ value: root, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key.includes('\u0000')) return [...path, key];
        pending.push({ value: inner, path: [...path, key] });
      }
    }
  }
  return undefined;
}
