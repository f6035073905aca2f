// Leaves evidence when the server process ends: exit code, uncaught errors and signals are logged
// as one JSON line on stderr, and Node's diagnostic report is written on a fatal V8 error and on
// SIGUSR2. A feed that vanishes with nothing in its log cannot be debugged (see docs/security.md).
import { writeSync } from 'node:fs';

export interface FatalOptions {
  /** Where diagnostic reports go (default: the working directory). */
  readonly reportDirectory?: string;
}

/** One JSON line on stderr, written synchronously so it is out before the process is. */
function log(fields: Record<string, unknown>): void {
  try {
    writeSync(2, JSON.stringify({ time: new Date().toISOString(), pid: process.pid, ...fields }) + '\n');
  } catch {
    // stderr is gone: nothing left to tell.
  }
}

const describe = (err: unknown) =>
  err instanceof Error ? { error: err.message, name: err.name, stack: err.stack } : { error: String(err) };

let installed = false;

/**
 * Install once, at start-up. Uncaught exceptions and unhandled rejections are logged with their
 * stack and end the process with exit code 1 (as Node would, but with a record); SIGHUP and
 * SIGQUIT, which would end it silently, are logged first. A native crash (SIGSEGV, SIGABRT) runs
 * no JavaScript: for those, run with core dumps on (`ulimit -c unlimited`); the parent sees the signal.
 */
export function installFatalHandlers(opts: FatalOptions = {}): void {
  if (installed) return;
  installed = true;
  const startedMs = Date.now();
  const report = process.report;
  if (report) {
    report.reportOnFatalError = true;
    report.reportOnSignal = true;
    report.signal = 'SIGUSR2';
    if (opts.reportDirectory) report.directory = opts.reportDirectory;
  }
  process.on('uncaughtException', (err, origin) => {
    log({ level: 'fatal', msg: 'uncaught exception', origin, ...describe(err) });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log({ level: 'fatal', msg: 'unhandled rejection', ...describe(reason) });
    process.exit(1);
  });
  for (const signal of ['SIGHUP', 'SIGQUIT'] as const) {
    process.on(signal, () => {
      log({ level: 'fatal', msg: `${signal} received, exiting`, signal });
      process.exit(128 + (signal === 'SIGHUP' ? 1 : 3));
    });
  }
  process.on('exit', (code) => {
    const mem = process.memoryUsage();
    log({ level: code === 0 ? 'info' : 'error', msg: 'process exiting', code, uptimeSec: Math.round((Date.now() - startedMs) / 1000), rssBytes: mem.rss, heapUsedBytes: mem.heapUsed });
  });
}
