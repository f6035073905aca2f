// Loads uWebSockets.js and refuses its silent pure-JS fallback.
//
// The npm copy we can install (@trufflesuite/uws-js-unofficial, aliased as uWebSockets.js) tries
// `binaries/uws_<platform>_<arch>_<abi>.node` and, when that fails, prints a warning and returns a
// slow JavaScript re-implementation. A feed server on that fallback would quietly be a different,
// slower product, so we check which file actually loaded and stop with the reason if it was not
// the native one.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as UwsModule from 'uWebSockets.js';

export type Uws = typeof UwsModule;

/** Node ABI versions this package ships Linux x64 binaries for, and the Node majors they are. */
const SUPPORTED_ABI: Readonly<Record<string, string>> = { '93': 'Node 16', '108': 'Node 18', '115': 'Node 20' };

export interface LoadedUws {
  readonly uws: Uws;
  /** Absolute path of the native binary that is running. */
  readonly binary: string;
}

export class UwsFallbackError extends Error {
  override readonly name = 'UwsFallbackError';
}

const require = createRequire(import.meta.url);

/** Load the native uWS binary, or throw UwsFallbackError explaining why it cannot be used. */
export function loadUws(): LoadedUws {
  const pkgDir = dirname(require.resolve('uWebSockets.js/package.json'));
  const file = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  const binary = join(pkgDir, 'binaries', file);
  const supported = Object.entries(SUPPORTED_ABI)
    .map(([abi, node]) => `${node} (ABI ${abi})`)
    .join(', ');
  const needs = `uWebSockets.js (${require('uWebSockets.js/package.json').name}) ships native binaries for ${supported} on linux/x64; this is Node ${process.version} (ABI ${process.versions.modules}) on ${process.platform}/${process.arch}.`;

  const flag = process.env.UWS_USE_FALLBACK;
  if (flag && ['true', 'True', 'TRUE', '1'].includes(flag)) {
    throw new UwsFallbackError(
      `UWS_USE_FALLBACK=${flag} asks uWebSockets.js for its slow pure-JS fallback; tickwire runs only on the native binary. Unset UWS_USE_FALLBACK.`,
    );
  }
  if (!existsSync(binary)) {
    throw new UwsFallbackError(`uWebSockets.js has no native binary ${file}. ${needs} Use Node 20 (or 18/16).`);
  }
  const uws = silenced(() => require('uWebSockets.js') as Uws);
  if (!require.cache[binary]) {
    throw new UwsFallbackError(
      `uWebSockets.js did not load its native binary ${binary} and fell back to pure JS. ${needs} ` +
        `The binary also needs glibc compatible with the one it was built against. Use Node 20 (or 18/16).`,
    );
  }
  return { uws, binary };
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
