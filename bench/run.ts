// `npm run bench [-- --full | --smoke] [--only arm,arm] [--conns n,n] [--repeat n] [--out dir]`: runs the
// scenarios of the mode, one step at a time, with a progress line per step; then prints the table
// and writes latest.json and report.html. With --repeat the whole list runs n times over, the arms
// interleaved at each connection count, so machine noise hits every arm alike.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

interface Args {
  readonly mode: Mode;
  readonly only: readonly Arm[] | null;
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
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--full') mode = 'full';
    else if (a === '--smoke') mode = 'smoke';
    else if (a === '--quick') mode = 'quick';
    else if (a === '--only') {
      only = (argv[++i] ?? '').split(',').map((x) => x.trim()) as Arm[];
      const bad = only.filter((x) => !ARMS.includes(x));
      if (bad.length) throw new Error(`--only: unknown arm ${bad.join(', ')}; arms are ${ARMS.join(', ')}`);
    } else if (a === '--conns') {
      conns = (argv[++i] ?? '').split(',').map(Number);
      if (conns.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--conns: expected connection counts like 1000,10000');
    } else if (a === '--repeat') {
      repeat = Number(argv[++i]);
      if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) throw new Error('--repeat: expected a whole number of repetitions, 1 to 20');
    } else if (a === '--out') {
      out = argv[++i] ?? out;
    } else {
      throw new Error(`unknown argument ${JSON.stringify(a)}: use --smoke, --full, --only <arms>, --conns <n,n>, --repeat <n>, --out <dir>`);
    }
  }
  return { mode, only, conns, out, repeat };
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
  console.log(`bench ${args.mode}: ${once.length} steps${args.repeat > 1 ? ` × ${args.repeat} repetitions` : ''} on ${header.machine.cpuModel} × ${header.machine.cores}` +
    `${PINNING ? ', server on core 0, load on core 1' : ', no pinning'}`);
  const rows: Row[] = [];
  const byRepetition: Row[][] = Array.from({ length: args.repeat }, () => []);
  const failures: { step: string; error: string }[] = [];
  const t0 = performance.now();
  let estimatedDone = 0;
  const estimatedTotal = list.reduce((n, x) => n + estimateSec(x.s), 0);
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
  const filledRuns = byRepetition.map((r) => fillEventRates(r));
  const merged = mergeRepeats(filledRuns.flat());
  const goals = judgeRepeated(merged, filledRuns, args.mode);
  const results: Results = {
    ...header, durationSec: (performance.now() - t0) / 1000, repeat: args.repeat, rows: merged, goals, failures,
    memorySlopes: memorySlopes(merged), loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    ...(args.repeat > 1 ? { runs: filledRuns.flat() } : {}),
  };
  mkdirSync(args.out, { recursive: true });
  writeFileSync(`${args.out}/latest.json`, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(`${args.out}/report.html`, renderHtml(results));
  console.log('\n' + formatTable(results));
  console.log(`\nwrote ${args.out}latest.json and ${args.out}report.html`);
  if (failures.length > 0) {
    console.error(`${failures.length} step(s) failed`);
    process.exitCode = 1;
  }
}




main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
