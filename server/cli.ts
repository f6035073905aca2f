// What the command line shows: --help and the README's configuration block, both generated from
// the flag table in config.ts, the --version line, and the exit codes main.ts uses.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { envName, type FlagTable } from './flags.ts';

/** Exit codes of `npm start` / server/main.ts. */
export const EXIT = {
  /** Stopped cleanly on SIGINT/SIGTERM, or printed --help / --version. */
  ok: 0,
  /** Anything unexpected (the message includes the stack). */
  failed: 1,
  /** Bad flag or value, or no usable native uWebSockets.js. */
  config: 2,
  /** Could not listen: address in use, not an address of this machine, or no permission. */
  listen: 3,
} as const;

const EXIT_MEANING: Readonly<Record<keyof typeof EXIT, string>> = {
  ok: 'stopped cleanly (SIGINT/SIGTERM), or printed --help or --version',
  failed: 'unexpected failure (with a stack trace)',
  config: 'unknown flag, bad value, or no usable native uWebSockets.js (the message says which)',
  listen: 'cannot listen: address in use, not an address of this machine, or no permission (one line saying what to do)',
};

/** `--help` text: usage, every flag with its environment twin, accepted values, default and meaning. */
export function helpText(flags: FlagTable): string {
  const lines = [
    'Usage: npm start -- [flags]      (or: npx tsx server/main.ts [flags])',
    '',
    'tickwire: a simulated exchange speaking Binance Spot market data (WebSocket streams + REST) and its dashboard.',
    'Every flag has an environment twin in upper case (--ws-max-streams ↔ WS_MAX_STREAMS); a flag wins over',
    'the environment, the environment over the default. Flags take --name value or --name=value.',
    '',
    'Flags:',
  ];
  lines.push(...flagHelpLines(flags));
  lines.push('  --help, -h    print this help and exit', '  --version     print the version and exit', '', 'Exit codes:');
  for (const [key, code] of Object.entries(EXIT)) lines.push(`  ${code}  ${EXIT_MEANING[key as keyof typeof EXIT]}`);
  return lines.join('\n') + '\n';
}

/** Two help lines per flag: name, env twin, accepted values and default; then its meaning. */
export function flagHelpLines(flags: FlagTable): string[] {
  return Object.entries(flags).flatMap(([name, f]) => [
    `  --${name}${f.isSwitch ? '' : ' <value>'}    env ${envName(name)} · ${f.accepts} · default ${f.shown}`,
    `      ${f.meaning}`,
  ]);
}

/** One Markdown table row per flag: flag, env twin, default, values, meaning. */
export function flagTableMarkdown(flags: FlagTable): string[] {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| flag | env | default | values | meaning |', '| --- | --- | --- | --- | --- |'];
  for (const [name, f] of Object.entries(flags)) {
    lines.push(`| \`--${name}\` | \`${envName(name)}\` | \`${cell(f.shown)}\` | ${cell(f.accepts)} | ${cell(f.meaning)} |`);
  }
  return lines;
}

/** The README's configuration table and exit codes (between the config markers), as Markdown. */
export function configMarkdown(flags: FlagTable): string {
  const lines = flagTableMarkdown(flags);
  lines.push('', '`--help` (`-h`) prints this table as text and `--version` the version; both exit 0 without starting the server.', '', 'Exit codes:', '');
  for (const [key, code] of Object.entries(EXIT)) lines.push(`- **${code}**: ${EXIT_MEANING[key as keyof typeof EXIT]}`);
  return lines.join('\n') + '\n';
}

export const README_BEGIN = '<!-- config:begin (generated from server/config.ts by `npm run docs:config`; do not edit by hand) -->';
export const README_END = '<!-- config:end -->';

/** `readme` with the text between the config markers replaced by `block`. Throws if the markers are missing. */
export function spliceReadme(readme: string, block: string): string {
  return spliceBlock(readme, README_BEGIN, README_END, block);
}

/** `text` with what lies between the `begin` and `end` marker lines replaced by `block`. Throws if a marker is missing. */
export function spliceBlock(text: string, begin: string, end: string, block: string): string {
  const a = text.indexOf(begin);
  const b = text.indexOf(end, a);
  if (a < 0 || b < a) throw new Error(`README.md has no "${begin}" … "${end}" block`);
  return text.slice(0, a + begin.length) + '\n' + block + text.slice(b);
}

/** `tickwire 0.1.0 · uWebSockets.js <package> <version> · Node v20…` (reads package files; loads no native code). */
export function versionText(): string {
  const require = createRequire(import.meta.url);
  const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  let uws = 'not installed';
  try {
    const pkg = require('uWebSockets.js/package.json') as { name: string; version: string };
    uws = `${pkg.name} ${pkg.version}`;
  } catch {
    // Reported as "not installed"; starting the server would say more.
  }
  return `tickwire ${own.version} · uWebSockets.js ${uws} · Node ${process.version}\n`;
}
