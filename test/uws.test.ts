// The server runs on uWS's native binary, never on the package's silent pure-JS fallback.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadUws } from '../server/uws.ts';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;

describe('loadUws', () => {
  it('loads the native binary for this Node ABI, and it is what answers', () => {
    const { uws, binary } = loadUws();
    expect(binary).toMatch(new RegExp(`uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`));
    // The native addon is registered in the require cache under the binary's path, and the
    // exports we hold are that addon's exports, not the JS fallback's (dist/index.js).
    expect(require.cache[binary]?.exports).toBe(uws);
    const fallback = require.resolve('uWebSockets.js').replace(/src\/uws\.js$/, 'dist/index.js');
    expect(require.cache[fallback]).toBeUndefined();
    // Native functions have no JS source.
    expect(Function.prototype.toString.call(uws.App)).toContain('[native code]');
  });

  it('refuses the fallback, and the server exits with a message saying why', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0'], {
      cwd: root,
      env: { ...process.env, UWS_USE_FALLBACK: '1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('tickwire: UWS_USE_FALLBACK=1 asks uWebSockets.js for its slow pure-JS fallback; tickwire runs only on the native binary.');
  });
});
