/**
 * `chronicle projections status | head -1`: once the reader of a pipe has gone, every write to it
 * fails with EPIPE, emitted as an `error` event that, unhandled, crashes the process with a stack
 * trace. A command line tool should stop being heard instead, like one killed by SIGPIPE but
 * without being cut off half-way: the command finishes what it was doing (a rebuild is not left
 * half-swapped), its output goes nowhere, and it exits with its own code. Any other error on the
 * stream is still thrown. pino already drops its own writes after EPIPE.
 */
export function quietWhenReaderLeaves(...streams: NodeJS.WriteStream[]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}
