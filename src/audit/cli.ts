import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { createEventStore } from '../eventstore/create-event-store.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import { operatorDatabaseUrl } from '../roles/dev-lock.ts';
import { anchoringSettings, anchorRound } from './anchoring-loop.ts';
import { runAuditExport } from './export-command.ts';
import { PublishedRootsInvalid, readPublishedRoots } from './published-roots.ts';
import { runAuditReplay } from './replay-command.ts';
import {
  generateAnchorKeyPair,
  loadAnchorPublicKey,
  loadAnchorSigner,
  SigningKeyError,
} from './signing-key.ts';
import { type VerifyOptions, verifyAll, verifyStreamChain } from './verify.ts';
import { formatVerificationReport } from './verify-report.ts';

export const AUDIT_USAGE = `Usage: chronicle audit <command>

  verify [--stream S | --all]   check hash chains (one stream, or all) and recompute every anchor;
                                exits 0 when intact, 1 naming the first broken event or anchor
         [--public-key F] [--signed-from P]
                                ...and require every anchor (from position P) signed by this key
         [--against F]          ...and compare the anchors with roots published outside the
                                database (the AUDIT_PUBLISH_FILE lines, or what the webhook got)
  keygen PREFIX                 write an Ed25519 anchor signing key: PREFIX.key (for
                                AUDIT_SIGNING_KEY_FILE) and PREFIX.pub (for auditors)
  anchor                        append anchors now for every unanchored event (the projector
                                does it every AUDIT_ANCHOR_EVERY_EVENTS events / _MINUTES minutes)
  export --out F [--from P|T] [--to P|T] [--prefix S] [--community ID] [--without-personal-data]
                                NDJSON of the stored events + F.manifest.json (+ F.keys.json: secret);
                                --community: only that community's events (metadata.communityId)
  replay F [--database-url URL] [--no-rebuild]
                                load an export into an EMPTY store, verifying it, and rebuild the read models
`;

export interface AuditCommandDeps {
  config: Config;
  log: Logger;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

class AuditUsageError extends Error {}

/** A key or roots file that cannot be used is the caller's to fix: exit 2 with its message. */
function usageError(error: unknown): never {
  if (error instanceof SigningKeyError || error instanceof PublishedRootsInvalid) {
    throw new AuditUsageError(error.message);
  }
  throw error;
}

/**
 * `chronicle audit <verify|anchor|...>`; returns the exit code (0 ok, 1 broken or failed,
 * 2 usage). Reads the event store of DATABASE_URL (or of a running `chronicle dev`), or
 * EventStoreDB when EVENTSTORE_CONNECTION_STRING is set.
 */
export async function runAuditCommand(argv: readonly string[], deps: AuditCommandDeps): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'verify': {
        const options = await parseVerifyOptions(args);
        return await withStore(deps, async (store) => {
          const report =
            options.stream === undefined
              ? await verifyAll(store, options.all)
              : await verifyStreamChain(store, options.stream);
          stdout.write(formatVerificationReport(report));
          return report.ok ? 0 : 1;
        });
      }
      case 'anchor': {
        strictArgs(args, {});
        const keyFile = deps.config.AUDIT_SIGNING_KEY_FILE;
        const signer = keyFile ? await loadAnchorSigner(keyFile).catch(usageError) : undefined;
        return await withStore(deps, async (store) => {
          const { everyEvents, everyMs } = anchoringSettings(deps.config);
          const round = await anchorRound(
            store,
            { everyEvents, everyMs },
            { now: new Date(), force: true, signer },
          );
          stdout.write(
            round.lostRace
              ? 'another process is anchoring right now; nothing appended\n'
              : `${round.written.length} anchor${round.written.length === 1 ? '' : 's'} appended\n`,
          );
          return round.lostRace ? 1 : 0;
        });
      }
      case 'keygen': {
        const [prefix, ...extra] = args;
        if (!prefix || prefix.startsWith('-') || extra.length > 0)
          throw new AuditUsageError('keygen takes one file prefix');
        try {
          const { keyFile, publicFile, keyId } = await generateAnchorKeyPair(prefix);
          stdout.write(
            `wrote ${keyFile} (private: set AUDIT_SIGNING_KEY_FILE to it, keep it off the database's machine)\n` +
              `wrote ${publicFile} (public, key id ${keyId}: give it to auditors for verify --public-key)\n`,
          );
          return 0;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          throw new AuditUsageError(
            `${prefix}.key or ${prefix}.pub exists already; keygen never overwrites a key`,
          );
        }
      }
      case 'export':
        return await runAuditExport(args, deps);
      case 'replay':
        return await runAuditReplay(args, deps);
      case undefined:
      case '--help':
      case 'help':
        (command === undefined ? stderr : stdout).write(AUDIT_USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new AuditUsageError(`unknown audit command "${command}"`);
    }
  } catch (error) {
    if (!(error instanceof AuditUsageError)) throw error;
    stderr.write(`chronicle audit: ${error.message}\n\n${AUDIT_USAGE}`);
    return 2;
  }
}

async function parseVerifyOptions(args: readonly string[]): Promise<{ stream?: string; all: VerifyOptions }> {
  const values = strictArgs(args, {
    stream: { type: 'string' },
    all: { type: 'boolean' },
    'public-key': { type: 'string' },
    'signed-from': { type: 'string' },
    against: { type: 'string' },
  });
  const stream = values.stream;
  if (typeof stream === 'string' && values.all === true) {
    throw new AuditUsageError('verify takes --stream S or --all, not both');
  }
  if (stream === '') throw new AuditUsageError('--stream needs a stream name');
  const keyFile = values['public-key'];
  const signedFrom = values['signed-from'];
  const against = values.against;
  if (typeof stream === 'string' && (keyFile || against)) {
    throw new AuditUsageError('--public-key and --against check anchors: use them without --stream');
  }
  if (signedFrom !== undefined && !keyFile) throw new AuditUsageError('--signed-from needs --public-key');
  if (typeof signedFrom === 'string' && !/^(0|[1-9][0-9]{0,18})$/.test(signedFrom)) {
    throw new AuditUsageError('--signed-from takes a position (a non-negative integer)');
  }
  const all: VerifyOptions = {};
  if (typeof keyFile === 'string') all.publicKey = await loadAnchorPublicKey(keyFile).catch(usageError);
  if (typeof against === 'string') all.published = await readPublishedRoots(against).catch(usageError);
  if (typeof signedFrom === 'string') all.signedFrom = BigInt(signedFrom);
  return typeof stream === 'string' ? { stream, all } : { all };
}

function strictArgs(
  args: readonly string[],
  options: Record<string, { type: 'string' | 'boolean' }>,
): Record<string, string | boolean | undefined> {
  try {
    const parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
    const values: Record<string, string | boolean | undefined> = {};
    for (const [name, value] of Object.entries(parsed.values)) {
      values[name] = typeof value === 'string' || typeof value === 'boolean' ? value : undefined;
    }
    return values;
  } catch (error) {
    throw new AuditUsageError(error instanceof Error ? error.message : String(error));
  }
}

async function withStore(
  deps: AuditCommandDeps,
  run: (store: EventStore) => Promise<number>,
): Promise<number> {
  const log = deps.log.child({ component: 'audit' });
  const store = createEventStore(deps.config, await operatorDatabaseUrl(deps.config), log);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}
