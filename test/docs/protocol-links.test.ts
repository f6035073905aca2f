// Every citation of docs/protocol.md with a heading anchor, anywhere in the repository, names a heading that
// exists: the headings stay stable and a citation never leads nowhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const protocol = readFileSync(join(root, 'docs/protocol.md'), 'utf8');

/** GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

const anchors = new Set([...protocol.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'results' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|tsx|md)$/.test(name)) yield path;
  }
}

describe('citations of docs/protocol.md', () => {
  it('turns headings into GitHub anchors', () => {
    expect(slug('Operations: /metrics and /healthz')).toBe('operations-metrics-and-healthz');
    expect(slug('miniTicker and !miniTicker@arr')).toBe('miniticker-and-minitickerarr');
  });

  it('point at headings that exist', () => {
    const cited: string[] = [];
    for (const dir of ['README.md', 'docs', 'server', 'web', 'bench', 'test']) {
      const path = join(root, dir);
      for (const file of statSync(path).isDirectory() ? files(path) : [path]) {
        const text = readFileSync(file, 'utf8');
        const self = file.endsWith(join('docs', 'protocol.md'));
        const pattern = self ? /\]\(#([\w-]+)\)/g : /protocol\.md#([\w-]+)/g;
        for (const m of text.matchAll(pattern)) cited.push(`${file.slice(root.length)} → #${m[1]}`);
      }
    }
    expect(cited.length).toBeGreaterThan(10);
    const broken = cited.filter((c) => !anchors.has(c.slice(c.lastIndexOf('#') + 1)));
    expect(broken).toEqual([]);
  });
});
