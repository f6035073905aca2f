// README's configuration block is the flag table's own rendering: change a flag and this fails until `npm run docs:config`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLAGS } from '../server/config.ts';
import { envName } from '../server/flags.ts';
import { README_BEGIN, README_END, configMarkdown, helpText, spliceReadme } from '../server/cli.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('configuration docs', () => {
  it('README.md holds exactly the table generated from the flags (run npm run docs:config after changing a flag)', () => {
    const block = readme.slice(readme.indexOf(README_BEGIN) + README_BEGIN.length + 1, readme.indexOf(README_END));
    expect(block).toBe(configMarkdown(FLAGS));
    expect(spliceReadme(readme, configMarkdown(FLAGS))).toBe(readme);
  });

  it('the README table has one row per flag, naming its env twin and default', () => {
    const block = readme.slice(readme.indexOf(README_BEGIN), readme.indexOf(README_END)); // not the fleet's own table
    const rows = block.split('\n').filter((l) => /^\| `--/.test(l));
    expect(rows.map((r) => /^\| `--([a-z0-9-]+)`/.exec(r)![1])).toEqual(Object.keys(FLAGS));
    for (const [name, flag] of Object.entries(FLAGS)) {
      expect(rows).toContainEqual(expect.stringContaining(`| \`--${name}\` | \`${envName(name)}\` | \`${flag.shown}\` |`));
    }
  });

  it('a flag added to a table shows in both help and the README block', () => {
    const table = { ...FLAGS, role: { ...FLAGS.host, meaning: 'what this process does in a fleet' } };
    expect(helpText(table)).toContain('--role <value>    env ROLE');
    expect(configMarkdown(table)).toContain('| `--role` | `ROLE` |');
    expect(spliceReadme(readme, configMarkdown(table))).not.toBe(readme);
  });

  it('refuses to splice a README without the markers', () => {
    expect(() => spliceReadme('# no block here\n', 'x')).toThrow(/has no/);
  });
});
