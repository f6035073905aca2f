// Loads whichever uWebSockets.js package is installed, natively, and refuses a pure-JS fallback.
//
// Two packages answer to `uWebSockets.js`: the npm build we install by default
// (@trufflesuite/uws-js-unofficial, binaries/uws_<platform>_<arch>_<abi>.node for Node 16/18/20,
// which on any other Node prints a warning and quietly returns a slow JavaScript re-implementation),
// and the official builds from GitHub (uws_<platform>_<arch>_<abi>.node beside uws.js, newer Node
// versions, no fallback: they throw). Rather than guess file names, we look at what actually got
// loaded: the exports must be those of a native addon (a `.node` module in the require cache).
// A feed server on the fallback would quietly be a different, slower product, so we stop and say why.
import { createRequire } from 'node:module';
import type * as UwsModule from 'uWebSockets.js';

export type Uws = typeof UwsModule;

export interface LoadedUws {
  readonly uws: Uws;
  /** Absolute path of the native addon that is running. */
  readonly binary: string;
}

/** uWebSockets.js is missing, failed to load, or loaded without its native addon. */
export class UwsLoadError extends Error {
  override readonly name = 'UwsLoadError';
}

const ADVICE =
  'Use Node 20 (see .nvmrc), or install an official uWebSockets.js build that has a binary for this Node ' +
  '(README, "Node versions"): npm install uWebSockets.js@github:uNetworking/uWebSockets.js#<release>.';

/**
 * Load `uWebSockets.js` as resolved from `from` (default: this file) and return it with the path of
 * its native addon, or throw UwsLoadError explaining why it cannot be used.
 */
export function loadUws(from: string | URL = import.meta.url): LoadedUws {
  const require = createRequire(from);
  let pkg: { name?: string; version?: string };
  try {
    pkg = require('uWebSockets.js/package.json') as typeof pkg;
  } catch {
    throw new UwsLoadError('uWebSockets.js is not installed: run npm install.');
  }
  const which = `uWebSockets.js (${pkg.name ?? '?'} ${pkg.version ?? '?'})`;
  const here = `Node ${process.version} (ABI ${process.versions.modules}) on ${process.platform}/${process.arch}`;

  let uws: Uws;
  try {
    uws = silenced(() => require('uWebSockets.js') as Uws);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n').filter(Boolean).join(' ');
    throw new UwsLoadError(`${which} has no native binary that loads on ${here}: ${reason} ${ADVICE}`);
  }
  const binary = nativeAddonOf(uws, require.cache);
  if (binary !== undefined) return { uws, binary };

  const flag = process.env.UWS_USE_FALLBACK;
  if (flag) {
    throw new UwsLoadError(
      `UWS_USE_FALLBACK=${flag} asks uWebSockets.js for its slow pure-JS fallback; tickwire runs only on the native binary. Unset UWS_USE_FALLBACK.`,
    );
  }
  throw new UwsLoadError(
    `${which} loaded no native binary on ${here} and fell back to pure JS, which tickwire refuses (it would be a slower, different server). ` +
      `Its binaries cover certain Node versions only, and need a glibc compatible with the one they were built against. ${ADVICE}`,
  );
}

/** The file of the native addon (`.node`) whose exports are `exports`, if that is what was loaded. */
function nativeAddonOf(exports: object, cache: NodeJS.Require['cache']): string | undefined {
  for (const [file, mod] of Object.entries(cache)) {
    if (mod?.exports === exports && file.endsWith('.node')) return file;
  }
  return undefined;
}

/** Run `load` with console.warn/log muted: the package announces its fallback there, we report it ourselves. */
function silenced<T>(load: () => T): T {
  const { warn, log } = console;
  console.warn = () => {};
  console.log = () => {};
  try {
    return load();
  } finally {
    console.warn = warn;
    console.log = log;
  }
}
