// `npm run docs`: rewrite the generated parts of README.md and docs/protocol.md (the REST endpoint list) from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED_FILES, writeBlock } from './endpoint-list.ts';

for (const file of GENERATED_FILES) {
  const path = fileURLToPath(new URL(`../${file}`, import.meta.url));
  const before = readFileSync(path, 'utf8');
  const after = writeBlock(before);
  if (after === before) {
    console.log(`${file} is up to date`);
  } else {
    writeFileSync(path, after);
    console.log(`${file}: endpoint list rewritten`);
  }
}
