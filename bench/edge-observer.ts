// A few trade-stream clients through the proxy in a process of their own, for bench/edge-restart.ts:
// the clients there share one process with the thousand that reconnect and backfill after a kill,
// so their latency is that process's queue as much as the fleet's. These report (receive − E) of
// every trade with the gateway that served it, in batches over IPC: [atMs, latencyMs, gateway, client][].
//   forked by bench/edge-restart.ts: edge-observer.ts <wsUrl> <restUrl> <symbol> <clients>
import { openBackfillWitness } from './load/backfill-witness.ts';

const [wsUrl, restUrl, symbol, count] = process.argv.slice(2);
if (!wsUrl || !restUrl || !symbol || !(Number(count) > 0) || !process.send) {
  console.error('edge-observer: forked with <wsUrl> <restUrl> <symbol> <clients> and an IPC channel');
  process.exit(2);
}
let batch: [number, number, string, number][] = [];
const witnesses = Array.from({ length: Number(count) }, (_, client) =>
  openBackfillWitness({ wsUrl, restUrl, symbol, onLatency: (ms, gateway) => batch.push([Date.now(), ms, gateway ?? '-', client]) }));
const flush = setInterval(() => {
  if (batch.length === 0) return;
  process.send!(batch);
  batch = [];
}, 250);
process.on('disconnect', () => {
  clearInterval(flush);
  for (const w of witnesses) w.close();
  process.exit(0);
});
