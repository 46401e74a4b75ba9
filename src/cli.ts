import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { PLATFORM_ROLES } from './domain/shared/decider.ts';
import { createLogger, defaultLogFormat, type Logger } from './logger.ts';
import { OperatorError } from './roles/dev-lock.ts';
import type { KeysCommand } from './roles/keys.ts';
import type { ProjectionsCommand } from './roles/projections.ts';
import type { SetRoleCommand } from './roles/users.ts';

const USAGE = `Usage: chronicle <command> [options]

Commands:
  dev         PostgreSQL (embedded), Temporal dev server, the API, projector and worker in one process tree
                --postgres-port N (54329)  --temporal-port N (7233)  --temporal-ui-port N (8233)
                --mail-port N (1025)  --mail-ui-port N (8025)  Mailpit's SMTP and web UI
  api         the API alone, against DATABASE_URL and TEMPORAL_ADDRESS
  migrate     apply SQL migrations to DATABASE_URL (or the embedded cluster under DATA_DIR)
                --postgres-port N (54329, embedded cluster only)
  projector   the read-model projector alone, against DATABASE_URL
                --only a,b  run only these projections (one process per projection scales out)
  projections status                               per projection: version, checkpoint, lag, state
  projections rebuild <name>[,<name>…]|all [--compare] [--no-swap]
                                                   rebuild into new tables (several in one pass), then swap
  projections abandon <name>                       drop a rebuild that is not swapped in
  users set-role <email> <user|creator|moderator|admin>  e.g. make the first admin
  keys rotate                                      a new access-token signing key signs from now on;
                                                   the old one verifies until its tokens expire
  keys list                                        signing keys: kid, created, retired, status
                (these use DATABASE_URL, or the database of a running \`chronicle dev\`)
  worker      the Temporal worker and the process manager that starts sagas from events,
                against DATABASE_URL and TEMPORAL_ADDRESS
  audit verify [--stream S | --all]  check hash chains and recompute the Merkle anchors;
                exits 1 naming the first broken event or anchor
  audit anchor                       anchor every unanchored event now
  audit export --out F [--from P|T] [--to P|T] [--prefix S] [--without-personal-data]
                                     NDJSON + manifest (+ key file) of the stored events in a range
  audit replay F [--database-url URL]  load an export into an empty store and rebuild the read models
                (audit uses DATABASE_URL, or the database of a running \`chronicle dev\`)

Configuration comes from the environment; see docs/configuration.md.
Exit codes: 0 ok, 1 failure, 2 invalid configuration or usage.
`;

const port = z.coerce.number().int().min(1).max(65535);

class UsageError extends Error {}

/** The `chronicle` command line; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? process.stderr : process.stdout).write(USAGE);
    return command === undefined ? 2 : 0;
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) return reportConfigError(error);
    throw error;
  }
  const log = createLogger(
    config.LOG_LEVEL,
    { service: 'chronicle', role: command },
    config.LOG_FORMAT ?? defaultLogFormat(),
  );
  try {
    return await run(command, rest, config, log);
  } catch (error) {
    if (error instanceof ConfigError) return reportConfigError(error);
    if (error instanceof OperatorError) {
      process.stderr.write(`chronicle: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`chronicle: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    log.fatal({ err: error }, `chronicle ${command} failed`);
    return 1;
  }
}

async function run(command: string, args: string[], config: Config, log: Logger): Promise<number> {
  switch (command) {
    case 'dev': {
      const options = parseOptions(args, [
        'postgres-port',
        'temporal-port',
        'temporal-ui-port',
        'mail-port',
        'mail-ui-port',
      ]);
      const { runDev, DEFAULT_DEV_PORTS } = await import('./roles/dev.ts');
      return runDev(config, log, {
        postgres: portOption(options, 'postgres-port', DEFAULT_DEV_PORTS.postgres),
        temporal: portOption(options, 'temporal-port', DEFAULT_DEV_PORTS.temporal),
        temporalUi: portOption(options, 'temporal-ui-port', DEFAULT_DEV_PORTS.temporalUi),
        mailSmtp: portOption(options, 'mail-port', DEFAULT_DEV_PORTS.mailSmtp),
        mailUi: portOption(options, 'mail-ui-port', DEFAULT_DEV_PORTS.mailUi),
      });
    }
    case 'api': {
      parseOptions(args, []);
      const { runApi } = await import('./roles/api.ts');
      return runApi(config, log);
    }
    case 'migrate': {
      const options = parseOptions(args, ['postgres-port']);
      const { runMigrate } = await import('./roles/migrate.ts');
      const { EMBEDDED_POSTGRES_PORT } = await import('./roles/embedded-database.ts');
      return runMigrate(config, log, portOption(options, 'postgres-port', EMBEDDED_POSTGRES_PORT));
    }
    case 'projector': {
      const { only } = parseOptions(args, ['only']);
      const { runProjector } = await import('./roles/projector.ts');
      return runProjector(config, log, { only: only?.split(',').map((name) => name.trim()) });
    }
    case 'projections': {
      const { runProjections } = await import('./roles/projections.ts');
      return runProjections(config, log, parseProjectionsCommand(args));
    }
    case 'users': {
      const { runUsersSetRole } = await import('./roles/users.ts');
      return runUsersSetRole(config, log, parseUsersCommand(args));
    }
    case 'keys': {
      const { runKeys } = await import('./roles/keys.ts');
      return runKeys(config, log, parseKeysCommand(args));
    }
    case 'audit': {
      const { runAuditCommand } = await import('./audit/cli.ts');
      return runAuditCommand(args, { config, log });
    }
    case 'worker': {
      parseOptions(args, []);
      const { runWorker } = await import('./roles/worker.ts');
      return runWorker(config, log);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function parseUsersCommand(args: string[]): SetRoleCommand {
  const [action, email, role, ...extra] = args;
  const parsedRole = z.enum(PLATFORM_ROLES).safeParse(role);
  if (action !== 'set-role' || !email || !parsedRole.success || extra.length > 0) {
    throw new UsageError(`users takes: set-role <email> <${PLATFORM_ROLES.join('|')}>`);
  }
  return { email, role: parsedRole.data };
}

function parseKeysCommand(args: string[]): KeysCommand {
  const [action, ...extra] = args;
  if ((action === 'rotate' || action === 'list') && extra.length === 0) return { action };
  throw new UsageError('keys takes: rotate | list');
}

function parseProjectionsCommand(args: string[]): ProjectionsCommand {
  const parsed = asUsageError(() =>
    parseArgs({
      args,
      options: { compare: { type: 'boolean' }, 'no-swap': { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }),
  );
  const [action, name, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  if (action === 'status' && name === undefined) return { action };
  if ((action === 'rebuild' || action === 'abandon') && name) {
    return action === 'rebuild'
      ? { action, name, compare: parsed.values.compare === true, swap: parsed.values['no-swap'] !== true }
      : { action, name };
  }
  throw new UsageError(
    'projections takes: status | rebuild <name>[,<name>…]|all [--compare] [--no-swap] | abandon <name>',
  );
}

function asUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parseOptions(args: string[], names: string[]): Record<string, string | undefined> {
  try {
    const { values } = parseArgs({
      args,
      options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    });
    return Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, typeof value === 'string' ? value : undefined]),
    );
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function portOption(options: Record<string, string | undefined>, name: string, fallback: number): number {
  const value = options[name];
  if (value === undefined) return fallback;
  const parsed = port.safeParse(value);
  if (!parsed.success) throw new UsageError(`--${name} must be a port number (1-65535), got "${value}"`);
  return parsed.data;
}

function reportConfigError(error: ConfigError): number {
  const lines = error.issues.map((issue) => `  ${issue.variable}: ${issue.message}`);
  process.stderr.write(`chronicle: invalid configuration\n${lines.join('\n')}\n`);
  return 2;
}
