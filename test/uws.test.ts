// The server runs on uWS's native binary, never on the package's silent pure-JS fallback, whichever
// uWebSockets.js package is installed (the npm build, or an official build with its own file layout).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
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

/** The file name scheme official builds use, beside their uws.js: uws_<platform>_<arch>_<abi>.node. */
const officialName = (abi: string) => `uws_${process.platform}_${process.arch}_${abi}.node`;

/** An official-style package: uws.js requires the binary beside it and throws (no fallback) when that fails. */
const officialLoader = `module.exports = (() => {
  try {
    return require('./uws_' + process.platform + '_' + process.arch + '_' + process.versions.modules + '.node');
  } catch (e) {
    throw new Error('This build supports only Node.js 18, 20, 22 and 23.\\n\\n' + e.toString());
  }
})();
module.exports.Helper = class Helper {};
`;

describe('loadUws with another uWebSockets.js package installed', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A project folder whose node_modules/uWebSockets.js holds `files`; returns what loadUws said there, run in a fresh Node. */
  function loadIn(files: Record<string, string | { copyOf: string }>): { binary?: string; native?: boolean; error?: string; message?: string; pkgDir: string } {
    const dir = mkdtempSync(join(tmpdir(), 'tickwire-uws-'));
    dirs.push(dir);
    const pkgDir = join(dir, 'node_modules', 'uWebSockets.js');
    mkdirSync(pkgDir, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      if (typeof content === 'string') writeFileSync(join(pkgDir, name), content);
      else copyFileSync(content.copyOf, join(pkgDir, name));
    }
    const script = `
      import { loadUws } from ${JSON.stringify(pathToFileURL(join(root, 'server/uws.ts')).href)};
      try {
        const { uws, binary } = loadUws(${JSON.stringify(pathToFileURL(join(dir, 'index.js')).href)});
        console.log(JSON.stringify({ binary, native: Function.prototype.toString.call(uws.App).includes('[native code]') }));
      } catch (e) {
        console.log(JSON.stringify({ error: e.name, message: e.message }));
      }`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    expect(run.status, run.stderr).toBe(0);
    return { ...JSON.parse(run.stdout), pkgDir };
  }

  const pkg = (version: string, main: string) => JSON.stringify({ name: 'uWebSockets.js', version, main });

  it('loads an official build natively from its own binary name, beside uws.js', () => {
    const { binary: ours } = loadUws();
    const got = loadIn({ 'package.json': pkg('20.51.0', 'uws.js'), 'uws.js': officialLoader, [officialName(process.versions.modules)]: { copyOf: ours } });
    expect(got.error).toBeUndefined();
    expect(got.binary).toBe(join(got.pkgDir, officialName(process.versions.modules)));
    expect(got.native).toBe(true);
  });

  it('explains an official build with no binary for this Node, passing on its own reason', () => {
    const got = loadIn({ 'package.json': pkg('20.51.0', 'uws.js'), 'uws.js': officialLoader, [officialName('1')]: 'not this one' });
    expect(got.error).toBe('UwsLoadError');
    expect(got.message).toContain(`uWebSockets.js (uWebSockets.js 20.51.0) has no native binary that loads on Node ${process.version} (ABI ${process.versions.modules})`);
    expect(got.message).toContain('This build supports only Node.js 18, 20, 22 and 23.');
    expect(got.message).toContain('Use Node 20 (see .nvmrc), or install an official uWebSockets.js build');
  });

  it('refuses a package that hands back pure JavaScript, whatever its files are called', () => {
    const got = loadIn({ 'package.json': pkg('99.0.0', 'uws.js'), 'uws.js': 'module.exports = { App() { return {}; } };' });
    expect(got.error).toBe('UwsLoadError');
    expect(got.message).toContain('uWebSockets.js (uWebSockets.js 99.0.0) loaded no native binary');
    expect(got.message).toContain('fell back to pure JS, which tickwire refuses');
  });
});
