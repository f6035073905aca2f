// Runs `vite build` when web/dist is missing or older than any source of the dashboard,
// so `npm start` always serves what web/src says. Exits non-zero if the build fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('.', import.meta.url));
const root = join(web, '..');

/** Newest modification time (ms) of a file or, recursively, of the files under a directory. */
export function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Oldest modification time of the files of a built directory; 0 when it has none. */
export function oldestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let oldest = Infinity;
  for (const name of readdirSync(path)) oldest = Math.min(oldest, oldestMtime(join(path, name)));
  return oldest === Infinity ? 0 : oldest;
}

export function isStale(): boolean {
  const dist = join(web, 'dist');
  if (!existsSync(join(dist, 'index.html'))) return true;
  const sources = Math.max(
    newestMtime(join(web, 'src')), newestMtime(join(web, 'index.html')), newestMtime(join(web, 'vite.config.ts')),
    // The wire the dashboard imports through `@wire/`, and the market types the wire uses.
    newestMtime(join(root, 'server/wire')), newestMtime(join(root, 'server/market/types.ts')),
  );
  return oldestMtime(dist) < sources;
}

/** Held while one build runs: tests start several servers at once, and two builds in one web/dist
 * would empty it under each other. A lock older than a build could take (its holder was killed) is
 * taken over. */
const LOCK = join(web, '.build-lock');
const LOCK_STALE_MS = 120_000;

function takeLock(): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
    } catch {
      // released between the two calls: try again
    }
    Atomics.wait(pause, 0, 0, 100); // poll interval while another build holds the lock
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!isStale()) {
    console.log('dashboard: web/dist is up to date');
  } else {
    takeLock();
    try {
      // Another process may have built it while this one waited for the lock.
      if (!isStale()) {
        console.log('dashboard: web/dist is up to date (built by another process just now)');
      } else {
        console.log('dashboard: building web/dist (missing or older than web/src)');
        const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn'], {
          cwd: root,
          stdio: 'inherit',
        });
        if (r.status !== 0) {
          console.error(`dashboard: vite build failed (exit ${r.status ?? r.signal})`);
          process.exitCode = 1;
        }
      }
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
