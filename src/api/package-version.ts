import { readFileSync } from 'node:fs';
import { z } from 'zod';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** The version the API reports, read from package.json when called (not at import). */
export function packageVersion(): string {
  return z.object({ version: z.string() }).parse(JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'))).version;
}
