#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { quietWhenReaderLeaves } = await import('../src/infra/closed-output.ts');
// Before anything is written: `chronicle … | head -1` must not crash when head has gone.
quietWhenReaderLeaves(process.stdout, process.stderr);
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
