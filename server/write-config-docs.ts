// `npm run docs:config`: rewrite README.md's configuration blocks from the flag tables, the server's
// and `npm run fleet`'s (test/cli-docs.test.ts and test/fleet/launch-flags.test.ts check them).
import { readFileSync, writeFileSync } from 'node:fs';
import { FLAGS } from './config.ts';
import { configMarkdown, spliceBlock, spliceReadme } from './cli.ts';
import { FLEET_README_BEGIN, FLEET_README_END, fleetConfigMarkdown } from './fleet/launch-flags.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = spliceBlock(spliceReadme(before, configMarkdown(FLAGS)), FLEET_README_BEGIN, FLEET_README_END, fleetConfigMarkdown());
writeFileSync(path, after);
console.log(after === before ? 'README.md configuration block already up to date' : 'README.md configuration block rewritten');
