// Command-line flags declared as data: one table per program gives the parser, --help and the README.
// Every flag `--some-name value` (or `--some-name=value`) has an environment twin `SOME_NAME`; a flag
// wins over the environment, the environment over the default. Unknown flags are refused with the
// nearest known name; unknown environment variables are ignored (the environment is shared).

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** One flag: how it reads, how help shows it. `parse` gets the raw text, or undefined when unset. */
export interface Flag<T> {
  /** What a value looks like, e.g. "integer 0–65535". */
  readonly accepts: string;
  /** The default as help and the README show it. */
  readonly shown: string;
  /** One sentence for help and the README. */
  readonly meaning: string;
  /** True for an on/off flag: `--name` alone means on and takes no value (`--name=false` still works). */
  readonly isSwitch: boolean;
  parse(raw: string | undefined, name: string): T;
}

export type FlagTable = Readonly<Record<string, Flag<unknown>>>;
export type FlagValues<T extends FlagTable> = { readonly [K in keyof T]: T[K] extends Flag<infer V> ? V : never };
export type Env = Readonly<Record<string, string | undefined>>;

/** Environment twins that are not the flag's name in upper case: the name every Redis tool reads. */
const ENV_NAMES: Readonly<Record<string, string>> = { redis: 'REDIS_URL' };

/** `ws-max-streams` → `WS_MAX_STREAMS` (and `redis` → `REDIS_URL`). */
export function envName(flag: string): string {
  return ENV_NAMES[flag] ?? flag.toUpperCase().replace(/-/g, '_');
}

const label = (name: string) => `--${name} (${envName(name)})`;

export function integer(def: number, min: number, max: number, meaning: string): Flag<number> {
  return {
    accepts: `integer ${min}–${max}`,
    shown: String(def),
    meaning,
    isSwitch: false,
    parse(raw, name) {
      if (raw === undefined || raw === '') return def;
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
        throw new ConfigError(`${label(name)} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      }
      return n;
    },
  };
}

export function text(def: string, accepts: string, meaning: string): Flag<string> {
  return { accepts, shown: def, meaning, isSwitch: false, parse: (raw) => (raw === undefined || raw === '' ? def : raw) };
}

/** Off unless given: `--name`, `--name=true|1`, or the environment twin `true|1` (`false|0` or empty: off). */
export function toggle(meaning: string): Flag<boolean> {
  return {
    accepts: 'on/off switch',
    shown: 'off',
    meaning,
    isSwitch: true,
    parse(raw, name) {
      if (raw === undefined || raw === '') return false;
      const v = raw.trim().toLowerCase();
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      throw new ConfigError(`${label(name)} is a switch: give it alone, or true/false (1/0), got ${JSON.stringify(raw)}`);
    },
  };
}

/** A flag with its own syntax; `parse` throws ConfigError itself, naming the flag. */
export function custom<T>(flag: Omit<Flag<T>, 'isSwitch'>): Flag<T> {
  return { ...flag, isSwitch: false };
}

/** Read every flag of `table` from argv (without node and script) and env. Throws ConfigError. */
export function readFlags<T extends FlagTable>(table: T, argv: readonly string[], env: Env): FlagValues<T> {
  const given = parseArgv(table, argv);
  const out: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(table)) out[name] = flag.parse(given.get(name) ?? env[envName(name)], name);
  return out as FlagValues<T>;
}

function parseArgv(table: FlagTable, argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}: flags look like --port 8080 or --port=8080`);
    const name = m[1]!;
    const flag = Object.hasOwn(table, name) ? table[name]! : undefined;
    if (!flag) throw new ConfigError(unknownFlag(name, Object.keys(table)));
    let value = m[2];
    if (value === undefined && flag.isSwitch) value = 'true';
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`flag --${name} needs a value`);
      i++;
    }
    out.set(name, value);
  }
  return out;
}

function unknownFlag(name: string, known: readonly string[]): string {
  const near = nearest(name, known);
  return near === undefined ? `unknown flag --${name}; --help lists the flags` : `unknown flag --${name}; did you mean --${near}?`;
}

/** The known name closest to `name` by edit distance if close enough to be a typo, else the one name it begins. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  if (bestD <= Math.max(2, Math.floor(name.length / 3))) return best;
  // A cut-short name (`--ws-max-payload`) is far by edit distance but unambiguous as a prefix.
  const longer = known.filter((k) => k.startsWith(name));
  return longer.length === 1 ? longer[0] : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
