// The dashboard's built files, read into memory: URL path → bytes, content type, cache policy, ETag.
// Only files found by walking the directory are ever served, so no URL can reach outside it.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
  /** Strong ETag of the content, quoted. */
  readonly etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Vite puts content-hashed names under /assets/: they never change, so browsers may keep them for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html above all) is revalidated on each load, so a rebuild shows at once. */
const REVALIDATE = 'no-cache';

export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Read every regular file under `dir` (symlinks are not followed). Keys are URL paths
 * (`/index.html`, `/assets/index-3f2a1b.js`). A missing directory gives an empty map.
 */
export function loadStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (abs: string, url: string) => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const childAbs = join(abs, e.name);
      const childUrl = `${url}/${e.name}`;
      if (e.isDirectory()) walk(childAbs, childUrl);
      else if (e.isFile()) {
        const body = readFileSync(childAbs);
        files.set(childUrl, {
          body,
          contentType: contentTypeOf(e.name),
          cacheControl: childUrl.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
          etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
        });
      }
    }
  };
  walk(dir, '');
  return files;
}

/** The key a request path maps to: `/` is `/index.html`; percent-escapes decoded; undefined if malformed. */
export function staticKey(urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path === '/' || path === '') return '/index.html';
  return path;
}
