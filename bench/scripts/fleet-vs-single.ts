// One tickwire process against a fleet at the same number of sockets, in one run: the first two
// phases of the bench's fleet scenario (bench/fleet/run.ts), without haproxy in the path and without
// the 50,000-socket phase (`npm run bench -- --full --only fleet` runs them all).
// Run: node --import tsx bench/scripts/fleet-vs-single.ts [--conns 10000] [--seconds 10] [--gateways 4] [--rate 2] [--warmup 3]
import { parseArgs } from 'node:util';
import { installCleanup } from '../children.ts';
import { FLEET_DEFAULTS, runFleetScenario } from '../fleet/run.ts';
import { fleetLines } from '../report/fleet.ts';

const { values } = parseArgs({
  options: {
    conns: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: String(FLEET_DEFAULTS.windowSec) },
    gateways: { type: 'string', default: String(FLEET_DEFAULTS.gateways) },
    rate: { type: 'string', default: String(FLEET_DEFAULTS.rate) },
    warmup: { type: 'string', default: String(FLEET_DEFAULTS.warmupSec) },
  },
});

async function main(): Promise<void> {
  installCleanup();
  const conns = Number(values.conns);
  const t0 = performance.now();
  const fleet = await runFleetScenario({
    sockets: conns, compareSockets: conns, gateways: Number(values.gateways), rate: Number(values.rate),
    warmupSec: Number(values.warmup), windowSec: Number(values.seconds), phases: ['single', 'direct-compare'],
    progress: (line) => console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}`),
  });
  console.log(fleetLines(fleet).join('\n'));
}

main().catch((err: Error) => {
  console.error(`fleet-vs-single: failed: ${err.stack ?? err}`);
  process.exitCode = 1;
});
