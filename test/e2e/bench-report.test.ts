// The bench's report.html in a real browser at a 1280 px screen and a 390 px phone: nothing makes
// the page scroll sideways (wide tables scroll inside their own box), the verdicts come first, and
// a screenshot of each width lands in test/artifacts/ for a person to look at.
import { mkdirSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, browserRequired, CHROMIUM, hasBrowser, launchBrowser, type Browser } from './harness.ts';
import { renderHtml } from '../../bench/report/html.ts';
import { judgeRepeated } from '../../bench/report/goals.ts';
import { mergeRepeats } from '../../bench/repeat.ts';
import { memorySlopes } from '../../bench/memory.ts';
import { ARMS, type Arm } from '../../bench/arms.ts';
import { CURVE_PERCENTILES } from '../../bench/histograms.ts';
import type { Results } from '../../bench/report/header.ts';
import type { Row } from '../../bench/row.ts';

const present = hasBrowser();
if (!present) {
  const msg = `bench report e2e: no browser at ${CHROMIUM} (apt-get install -y chromium)`;
  if (browserRequired) throw new Error(`${msg}; CI or TICKWIRE_E2E=required makes this test mandatory`);
  console.warn(`${msg}: skipping`);
}

const ARTIFACTS = join(ROOT, 'test/artifacts');

/** A row shaped like the bench's, with every optional part filled (probes, breakdown, long notes). */
function row(arm: Arm, connections: number, rep: number): Row {
  const base = connections * (arm === 'peer-ws' || arm === 'peer-socketio' ? 30 : 3) * (1 + rep * 0.05);
  const lat = { p50: base, p99: base * 3, p999: base * 4, max: base * 6 };
  const probe = { p50: base / 4, p99: base, p999: base * 1.5, max: base * 2 };
  const poll = arm === 'polling';
  return {
    scenario: poll ? 'polling' : arm === 'rest-capacity' ? 'rest' : 'fanout', arm, connections, requestedConnections: connections,
    eventsPerSec: 100, deliveredPerSec: connections * 99.5, lossRate: arm === 'peer-ws' && connections === 10_000 ? 0.91 : 0,
    latencyUs: lat, serverCpuMsPer1kUpdates: arm === 'push' ? 0.5 : 5, serverRssBytes: 90e6 + connections * (arm === 'push' ? 2400 : 500),
    bytesPerUpdate: poll ? 838 : 144, clientCpuPct: connections === 10_000 ? 97 : 40, clientBound: connections === 10_000, rate: 100,
    rssPerConnectionBytes: null, serverCpuPct: 50, cores: { serverBusyPct: 70, serverSoftirqPct: 20, loadBusyPct: 99, loadSoftirqPct: 30 },
    serverProcesses: 1, loadProcesses: Math.ceil(connections / 8000), errors: 0, closedConnections: 0,
    latencyCurve: CURVE_PERCENTILES.map((p) => [p, base * (1 + p / 30)]),
    probeLatencyUs: poll || arm === 'rest-capacity' ? null : probe,
    probeLatencyCurve: poll || arm === 'rest-capacity' ? [] : CURVE_PERCENTILES.map((p) => [p, (base / 4) * (1 + p / 40)]),
    probePositions: poll ? [] : [{ position: 'first', received: 400, missed: 0, latencyUs: probe }, { position: 'middle', received: 400, missed: 0, latencyUs: probe }, { position: 'last', received: 400, missed: 0, latencyUs: probe }],
    breakdown: arm === 'push' ? { latenessUs: { count: 500, meanUs: 1200, p50Us: 1100, p99Us: 2400 }, toFirstUs: { count: 400, meanUs: 30, p50Us: 25, p99Us: 90 }, toLastUs: { count: 400, meanUs: 300, p50Us: 250, p99Us: 900 } } : null,
    windowSec: 4, stream: 'raw', eventsPerSecFrom: 'server',
    ...(poll ? { pollIntervalMs: 100, requestsPerSec: connections * 10, stalenessUs: lat } : {}),
    notes: connections === 10_000 ? ['a long note that must wrap inside its cell rather than widen the page: the load generator was saturated and the row is a floor for the server; 12 connections closed by the server during the window'] : [],
  };
}

function fixture(): Results {
  const runs = [0, 1, 2].map((rep) => ARMS.flatMap((arm) => [100, 1_000, 10_000].map((c) => row(arm, c, rep))));
  const rows = mergeRepeats(runs.flat());
  return {
    date: '2026-11-30T05:00:00.000Z', mode: 'quick', commit: 'abc1234',
    machine: { cpuModel: 'AMD EPYC 7B13 64-Core Processor', cores: 2, memBytes: 24 * 1024 ** 3, node: 'v20.20.2', platform: 'linux/x64', pinned: true, loadAverage: [7.5, 6.2, 5.1] },
    durationSec: 560, repeat: 3, rows, goals: judgeRepeated(rows, runs, 'quick'), failures: [{ step: 'peer-socketio fanout 10000 conns (run 2 of 3)', error: 'load process: no result after 30000 ms' }],
    memorySlopes: memorySlopes(rows), loadAverageAtEnd: [8, 7, 6],
  };
}

describe.skipIf(!present)('bench report in chromium', () => {
  let browser: Browser | undefined;
  let dir = '';
  let url = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tickwire-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(fixture()));
    url = pathToFileURL(file).href;
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const width of [1280, 390]) {
    it(`fits a ${width} px wide window without scrolling sideways, verdicts first, and is screenshotted`, async () => {
      browser = await launchBrowser({ width, height: 900 });
      const page = await browser.context.newPage();
      await page.goto(url);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const headings = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent));
      expect(headings[0]).toBe('Verdicts');
      // Every chart and table box fits the page; wide tables scroll inside their box.
      const widest = await page.$$eval('figure, .scroll, ul.verdicts', (els) => Math.max(...els.map((e) => e.getBoundingClientRect().right)));
      expect(widest).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(ARTIFACTS, `bench-report-${width}.png`), fullPage: true });
      await browser.close();
      browser = undefined;
    }, 60_000);
  }
});
