// Measures the dashboard: gzip size of what the page loads, and frame rate under a given event
// rate. Run: npm run bench:dashboard -- [--rate 1000] [--seconds 10]
// Starts its own server (--symbols SOLUSDT:<rate>) and chromium; prints one JSON report.
// `--hide '<css selector>'` hides part of the page, to see what that part costs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDashboard, freePort, launchBrowser, ROOT, startServerProcess } from '../../test/e2e/harness.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!(v > 0)) throw new Error(`--${name} must be a positive number`);
  return v;
}

interface FrameStats {
  frames: number; fps: number; p50Ms: number; p99Ms: number; maxMs: number; over33Ms: number; over50Ms: number; longTasks: number; longTaskMs: number;
}

const rate = arg('rate', 1000);
const seconds = arg('seconds', 10);
const hideAt = process.argv.indexOf('--hide');
const hide = hideAt >= 0 ? process.argv[hideAt + 1] : undefined;

buildDashboard();
const server = await startServerProcess(await freePort(), ['--symbols', `SOLUSDT:${rate}`, '--seed', '11']);
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="push-price"]')?.textContent ?? ''), undefined, { timeout: 5000 });
  if (hide) await page.addStyleTag({ content: `${hide} { display: none !important; }` });
  await page.waitForTimeout(2000); // warm up: the JIT, the first layouts

  // What the page loaded from the server, gzipped as a static host would serve it.
  const paths = await page.evaluate(() => [
    new URL(location.href).pathname,
    ...performance.getEntriesByType('resource').map((e) => new URL(e.name)).filter((u) => u.origin === location.origin && !u.pathname.startsWith('/api/')).map((u) => u.pathname),
  ]);
  const assets = [...new Set(paths)].map((p) => join(ROOT, 'web/dist', p === '/' ? 'index.html' : p.slice(1))).filter(existsSync).map((file) => {
    const p = file.slice(join(ROOT, 'web/dist').length);
    const raw = readFileSync(file);
    return { path: p, bytes: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  });

  const read = (id: string) => page.getAttribute(`[data-testid="${id}"]`, 'data-value').then(Number);
  // Main-thread time the page spent, from Chromium's own counters (seconds, cumulative).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => {
    const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const get = (n: string) => list.find((m) => m.name === n)?.value ?? 0;
    return { task: get('TaskDuration'), script: get('ScriptDuration'), layout: get('LayoutDuration'), style: get('RecalcStyleDuration') };
  };
  const m0 = await metrics();
  const before = { updates: await read('push-updates'), trades: await read('push-trades') };
  // Passed as source text: tsx would otherwise wrap named functions in a helper the page lacks.
  const frames = (await page.evaluate(`(async (ms) => {
    const gaps = [];
    let longTasks = 0;
    let longTaskMs = 0;
    const po = new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        longTasks++;
        longTaskMs += e.duration;
      }
    });
    try {
      po.observe({ type: 'longtask' });
    } catch {
      /* not supported */
    }
    await new Promise((done) => {
      const start = performance.now();
      let last = start;
      const step = (t) => {
        gaps.push(t - last);
        last = t;
        if (t - start < ms) requestAnimationFrame(step);
        else done();
      };
      requestAnimationFrame((t) => {
        last = t;
        requestAnimationFrame(step);
      });
    });
    po.disconnect();
    const sorted = [...gaps].sort((a, b) => a - b);
    const total = gaps.reduce((a, b) => a + b, 0);
    const q = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    return {
      frames: gaps.length,
      fps: gaps.length / (total / 1000),
      p50Ms: q(50),
      p99Ms: q(99),
      maxMs: sorted[sorted.length - 1],
      over33Ms: gaps.filter((g) => g > 33.4).length,
      over50Ms: gaps.filter((g) => g > 50).length,
      longTasks,
      longTaskMs,
    };
  })(${seconds * 1000})`)) as FrameStats;
  const after = { updates: await read('push-updates'), trades: await read('push-trades') };
  const m1 = await metrics();
  const pct = (k: keyof typeof m0) => Number((((m1[k] - m0[k]) / seconds) * 100).toFixed(1));
  const mainThread = { busyPct: pct('task'), scriptPct: pct('script'), layoutPct: pct('layout'), stylePct: pct('style') };
  const [load1] = (await import('node:os')).loadavg();
  const missed = await read('push-missed');
  console.log(
    JSON.stringify(
      {
        rate: `SOLUSDT:${rate}`,
        hidden: hide ?? null,
        seconds,
        messagesPerS: Math.round((after.updates - before.updates) / seconds),
        tradesPerS: Math.round((after.trades - before.trades) / seconds),
        pushMissed: missed,
        frames: { ...frames, fps: Number(frames.fps.toFixed(1)) },
        mainThread,
        loadAverage1m: Number(load1!.toFixed(2)),
        assets,
        gzipTotal: assets.reduce((n, a) => n + a.gzip, 0),
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await server.stop();
}
