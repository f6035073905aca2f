// `npm run bench [-- --full | --smoke] [--only arm,arm] [--conns n,n] [--repeat n] [--out dir]`: runs the
// scenarios of the mode, one step at a time, with a progress line per step; then prints the table
// and writes latest.json and report.html. With --repeat the whole list runs n times over, the arms
// interleaved at each connection count, so machine noise hits every arm alike. --full ends with the
// fleet scenario (bench/fleet/run.ts; `--only fleet` runs it alone, `--fleet-sockets n` and
// `--fleet-rate r` change its size and stream), which runs once whatever --repeat says.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { estimateSec, interleave, label, scenarios, type Mode } from './scenarios.ts';
import { ARMS, type Arm } from './arms.ts';
import { installCleanup, PINNING } from './children.ts';
import { runStep } from './step.ts';
import { fillEventRates, type Row } from './row.ts';
import { machineHeader, type Results } from './report/header.ts';
import { judgeRepeated } from './report/goals.ts';
import { mergeRepeats } from './repeat.ts';
import { memorySlopes } from './memory.ts';
import { loadavg } from 'node:os';
import { formatTable } from './report/table.ts';
import { renderHtml } from './report/html.ts';
import { fmtRate, fmtUs } from './report/format.ts';
import { compareSocketsHere, estimateFleetSec, FLEET_DEFAULTS, runFleetScenario, type FleetOptions } from './fleet/run.ts';
import { fleetLines } from './report/fleet.ts';
import type { FleetResults } from './fleet/figures.ts';

/** `--only` takes arms and `fleet` (the fleet scenario of --full). */
const FLEET = 'fleet';

interface Args {
  readonly mode: Mode;
  /** Arms to run; null: every arm of the mode. */
  readonly only: readonly Arm[] | null;
  /** The fleet scenario runs (--full, unless --only leaves it out). */
  readonly fleet: boolean;
  readonly fleetSockets: number;
  readonly fleetRate: number;
  readonly conns: readonly number[] | null;
  readonly out: string;
  readonly repeat: number;
}

function parseArgs(argv: readonly string[]): Args {
  let mode: Mode = 'quick';
  let only: Arm[] | null = null;
  let conns: number[] | null = null;
  let out = fileURLToPath(new URL('./results/', import.meta.url));
  let repeat = 1;
  let onlyFleet: boolean | null = null;
  let fleetSockets: number = FLEET_DEFAULTS.sockets;
  let fleetRate: number = FLEET_DEFAULTS.rate;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--full') mode = 'full';
    else if (a === '--smoke') mode = 'smoke';
    else if (a === '--quick') mode = 'quick';
    else if (a === '--only') {
      const names = (argv[++i] ?? '').split(',').map((x) => x.trim());
      onlyFleet = names.includes(FLEET);
      only = names.filter((x) => x !== FLEET) as Arm[];
      const bad = only.filter((x) => !ARMS.includes(x));
      if (bad.length) throw new Error(`--only: unknown arm ${bad.join(', ')}; arms are ${ARMS.join(', ')}, and ${FLEET} (the fleet scenario of --full)`);
    } else if (a === '--fleet-sockets') {
      fleetSockets = Number(argv[++i]);
      if (!Number.isInteger(fleetSockets) || fleetSockets < 8) throw new Error('--fleet-sockets: expected a whole number of sockets, 8 or more');
    } else if (a === '--fleet-rate') {
      fleetRate = Number(argv[++i]);
      if (!(fleetRate > 0 && fleetRate <= 100_000)) throw new Error('--fleet-rate: expected taker orders per second, above 0');
    } else if (a === '--conns') {
      conns = (argv[++i] ?? '').split(',').map(Number);
      if (conns.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--conns: expected connection counts like 1000,10000');
    } else if (a === '--repeat') {
      repeat = Number(argv[++i]);
      if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) throw new Error('--repeat: expected a whole number of repetitions, 1 to 20');
    } else if (a === '--out') {
      out = argv[++i] ?? out;
    } else {
      throw new Error(`unknown argument ${JSON.stringify(a)}: use --smoke, --full, --only <arms>, --conns <n,n>, --repeat <n>, --out <dir>, --fleet-sockets <n>, --fleet-rate <r>`);
    }
  }
  if (onlyFleet && mode !== 'full') throw new Error('--only fleet: the fleet scenario is part of --full (npm run bench -- --full --only fleet)');
  const fleet = mode === 'full' && onlyFleet !== false;
  return { mode, only, fleet, fleetSockets, fleetRate, conns, out, repeat };
}

const clock = (sec: number): string => {
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

async function main(): Promise<void> {
  installCleanup();
  const args = parseArgs(process.argv.slice(2));
  const once = interleave(scenarios(args.mode).filter((s) => (!args.only || args.only.includes(s.arm)) && (!args.conns || args.conns.includes(s.connections))));
  const list = Array.from({ length: args.repeat }, (_, rep) => once.map((s) => ({ s, rep }))).flat();
  const header = machineHeader(args.mode, PINNING);
  const fleetOptions: Omit<FleetOptions, 'progress'> | null = args.fleet
    ? { ...FLEET_DEFAULTS, sockets: args.fleetSockets, rate: args.fleetRate, compareSockets: compareSocketsHere(args.fleetSockets) }
    : null;
  const steps = once.length || !fleetOptions ? `${once.length} steps${args.repeat > 1 ? ` × ${args.repeat} repetitions` : ''}` : '';
  const fleetPart = fleetOptions ? `the fleet scenario (${fleetOptions.sockets.toLocaleString('en')} sockets)` : '';
  console.log(`bench ${args.mode}: ${[steps, fleetPart].filter(Boolean).join(' and ')} on ${header.machine.cpuModel} × ${header.machine.cores}` +
    `${PINNING ? ', server on core 0, load on core 1' : ', no pinning'}; load average ${header.machine.loadAverage.join(' ')}`);
  const rows: Row[] = [];
  const byRepetition: Row[][] = Array.from({ length: args.repeat }, () => []);
  const failures: { step: string; error: string }[] = [];
  const t0 = performance.now();
  let estimatedDone = 0;
  const fleetEstimate = fleetOptions ? estimateFleetSec(fleetOptions) : 0;
  const estimatedTotal = list.reduce((n, x) => n + estimateSec(x.s), 0) + fleetEstimate;
  for (const [i, { s, rep }] of list.entries()) {
    const name = label(s) + (args.repeat > 1 ? ` (run ${rep + 1} of ${args.repeat})` : '');
    let summary: string;
    try {
      const row = await runStep(s);
      rows.push(row);
      byRepetition[rep]!.push(row);
      summary = `${fmtRate(row.deliveredPerSec)} upd/s, p99 ${fmtUs(row.latencyUs?.p99)} (probes ${fmtUs(row.probeLatencyUs?.p99)}), loss ${(row.lossRate * 100).toFixed(2)}%` +
        `${row.clientBound ? ', client-bound' : ''}`;
    } catch (err) {
      const error = (err as Error).message;
      failures.push({ step: name, error });
      summary = `FAILED: ${error.split('\n')[0]!.slice(0, 200)}`;
    }
    estimatedDone += estimateSec(s);
    const elapsed = (performance.now() - t0) / 1000;
    const eta = (elapsed / estimatedDone) * (estimatedTotal - estimatedDone);
    console.log(`[${i + 1}/${list.length} ${clock(elapsed)} elapsed, ETA ${clock(eta)}] ${name}: ${summary}`);
  }
  let fleet: FleetResults | undefined;
  if (fleetOptions) {
    const f0 = performance.now();
    const progress = (line: string) => {
      const elapsed = (performance.now() - t0) / 1000;
      const left = Math.max(0, fleetEstimate - (performance.now() - f0) / 1000);
      console.log(`[fleet ${clock(elapsed)} elapsed, ETA ${clock(left)}] ${line}`);
    };
    if (args.repeat > 1) progress('runs once, not once per repetition');
    try {
      fleet = await runFleetScenario({ ...fleetOptions, progress });
      for (const f of fleet.failures) failures.push({ step: `fleet: ${f.phase}`, error: f.error });
    } catch (err) {
      const error = (err as Error).message;
      failures.push({ step: 'fleet', error });
      progress(`FAILED: ${error.split('\n')[0]!.slice(0, 200)}`);
    }
  }
  const filledRuns = byRepetition.map((r) => fillEventRates(r));
  const merged = mergeRepeats(filledRuns.flat());
  const goals = judgeRepeated(merged, filledRuns, args.mode);
  const results: Results = {
    ...header, durationSec: (performance.now() - t0) / 1000, repeat: args.repeat, rows: merged, goals, failures,
    memorySlopes: memorySlopes(merged), loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    ...(args.repeat > 1 ? { runs: filledRuns.flat() } : {}),
    ...(fleet ? { fleet } : {}),
  };
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(args.out, 'report.html'), renderHtml(results));
  if (rows.length > 0 || !fleetOptions) console.log('\n' + formatTable(results));
  if (fleet) console.log('\n' + fleetLines(fleet).join('\n'));
  else if (fleetOptions) for (const f of failures.filter((x) => x.step === 'fleet')) console.log(`\nFAILED fleet: ${f.error.slice(0, 600)}`);
  console.log(`\nwrote ${join(args.out, 'latest.json')} and ${join(args.out, 'report.html')}`);
  if (failures.length > 0) {
    console.error(`${failures.length} step(s) failed`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
