// The wire's home: its modules import only each other and the market's types, never Node or uWS,
// so the dashboard and the bench can use them as they are.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../server/wire/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
const source = (file: string) => readFileSync(new URL(file, dir), 'utf8');

/** `import … from '…'`, `export … from '…'` (no quote can come before `from`) and `import '…'`. */
function importsOf(text: string): string[] {
  return [...text.matchAll(/^(?:import|export)\b[^;'"]*?\bfrom\s+'([^']+)'|^import\s+'([^']+)'/gm)].map((m) => (m[1] ?? m[2])!);
}

describe('server/wire', () => {
  it('holds the modules the wire is made of, and their imports can be read', () => {
    expect(files).toEqual(expect.arrayContaining(['streams.ts', 'errors.ts', 'encode.ts', 'encode-rest.ts', 'payloads.ts', 'control.ts']));
    expect(importsOf(source('encode-rest.ts'))).toEqual(['../market/types.ts', './encode.ts', './payloads.ts']);
  });

  it.each(files)('%s imports only wire modules and the market types', (file) => {
    const text = source(file);
    for (const s of importsOf(text)) expect(s, `${file} imports ${s}`).toMatch(/^(\.\/[\w-]+\.ts|\.\.\/market\/types\.ts)$/);
    expect(text).not.toMatch(/\brequire\(|\bimport\(/);
  });
});
