// `npm run docs`: rewrite the generated parts of README.md (the REST endpoint list) from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeBlock } from './endpoint-list.ts';

const path = fileURLToPath(new URL('../README.md', import.meta.url));
const before = readFileSync(path, 'utf8');
const after = writeBlock(before);
if (after === before) {
  console.log('README.md is up to date');
} else {
  writeFileSync(path, after);
  console.log('README.md: endpoint list rewritten');
}
