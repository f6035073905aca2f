// Measurement, not a test: how many taker orders per second advanceTo sustains, and how long start-up takes.
// Run: npm run bench:market -- [tradesPerSec=1000] [simulatedSeconds=60]
import { createManualClock } from '../../server/market/clock.ts';
import { createSimulator } from '../../server/market/simulator.ts';
import { DEFAULT_SYMBOLS } from '../../server/config.ts';

const rate = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 60);
const start = Date.UTC(2026, 10, 21, 12, 0, 0) * 1000;

// Start-up with the default four symbols and full history (JIT cold, as in production).
let t = performance.now();
createSimulator({ seed: 42, clock: createManualClock(start), symbols: DEFAULT_SYMBOLS });
const startupMs = performance.now() - t;

const clock = createManualClock(start);
const symbols = [{ symbol: 'SOLUSDT', tradesPerSec: rate }, ...DEFAULT_SYMBOLS.slice(1)];
t = performance.now();
const sim = createSimulator({ seed: 42, clock, symbols });
const startupFastMs = performance.now() - t;

let takers = 0;
let events = 0;
let batches = 0;
const cpu0 = process.cpuUsage();
t = performance.now();
for (let i = 0; i < seconds * 100; i++) {
  clock.advance(10_000); // the runner wakes about every 1–10 ms
  sim.advanceTo(clock.nowUs(), (_symbol, batch) => {
    batches++;
    events += batch.length;
    if (batch[0]?.type === 'trade') takers++;
  });
}
const wallMs = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(JSON.stringify({
  startupMsDefaultSymbols: Math.round(startupMs),
  startupMsWithSolAtRate: Math.round(startupFastMs),
  simulatedSeconds: seconds,
  configuredSolTakersPerSec: rate,
  takerOrders: takers,
  batches,
  events,
  wallMs: Math.round(wallMs),
  cpuMs: Math.round(cpuMs),
  takerOrdersPerCpuSec: Math.round(takers / (cpuMs / 1000)),
  eventsPerCpuSec: Math.round(events / (cpuMs / 1000)),
  realTimeFactor: Number(((seconds * 1000) / wallMs).toFixed(1)),
}, null, 1));
