// `npm run docs:config`: rewrite README.md's configuration block from the flag table (test/cli-docs.test.ts checks it).
import { readFileSync, writeFileSync } from 'node:fs';
import { FLAGS } from './config.ts';
import { configMarkdown, spliceReadme } from './cli.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = spliceReadme(before, configMarkdown(FLAGS));
writeFileSync(path, after);
console.log(after === before ? 'README.md configuration block already up to date' : 'README.md configuration block rewritten');
