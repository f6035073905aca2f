// The dashboard in a real browser against the real server: prices within 3 s, push ahead of
// polling with nothing missed, a server restart survived without a gap in the tape, and at phone
// width the two sides' deciding figures kept in view side by side; then each other transport
// (Server-Sent Events, long-polling, the WebSocket API) shows a price and counts trades, none missed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT, browserRequired, buildDashboard, CHROMIUM, freePort, hasBrowser, launchBrowser, startServerProcess,
  type Browser, type ServerProcess,
} from './harness.ts';
import { newestAggId, untilAggId } from '../market-rest.ts';

const present = hasBrowser();
if (!present) {
  const msg = `dashboard e2e: no browser at ${CHROMIUM} (apt-get install -y chromium)`;
  if (browserRequired) throw new Error(`${msg}; CI or TICKWIRE_E2E=required makes this test mandatory`);
  console.warn(`${msg}: skipping`);
}

const ARTIFACTS = join(ROOT, 'test/artifacts');
const SERVER_ARGS = ['--symbols', 'SOLUSDT:20,BTCUSDT:4', '--seed', '7'];

async function figure(page: Page, id: string): Promise<number> {
  const v = await page.getAttribute(`[data-testid="${id}"]`, 'data-value');
  return Number(v);
}

/** Wait until the page's newest tape row on `side` is aggregate `a` or later. */
async function tapeReaches(page: Page, side: 'push' | 'poll', a: number) {
  await page.waitForFunction(
    ([s, n]) => Number(document.querySelector<HTMLElement>(`[data-testid="${s}-tape"] tbody tr:not([data-divider])`)?.dataset.a) >= Number(n),
    [side, a] as const,
    { timeout: 10_000 },
  );
}

/** Tape rows from newest down to the first divider (a restart or pause marker). */
async function tapeRun(page: Page, side: 'push' | 'poll') {
  return page.$$eval(`[data-testid="${side}-tape"] tbody tr`, (trs) => {
    const rows: { a: number; f: number; l: number; src: string }[] = [];
    for (const tr of trs) {
      const el = tr as HTMLElement;
      if (el.dataset.divider) break;
      rows.push({ a: Number(el.dataset.a), f: Number(el.dataset.f), l: Number(el.dataset.l), src: el.dataset.src ?? '' });
    }
    return rows;
  });
}

describe.skipIf(!present)('dashboard in chromium', () => {
  let port = 0;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    buildDashboard();
    port = await freePort();
    server = await startServerProcess(port, SERVER_ARGS);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows a price in both panels within 3 seconds', async () => {
    const t0 = Date.now();
    await page.goto(server!.url);
    await page.waitForFunction(
      () => ['push-price', 'poll-price'].every((id) => /\d/.test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '')),
      undefined,
      { timeout: 3000 - (Date.now() - t0) },
    );
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('after twenty poll requests has more updates pushed than polled, and none missed on the push side', async () => {
    // Latest-price polling asks for the last trade and the top of the book each second (and the
    // 24 h change every 5 s): twenty requests are about nine seconds.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="poll-requests"]')?.getAttribute('data-value')) >= 20, undefined, { timeout: 30_000 });
    const pushUpdates = await figure(page, 'push-updates');
    const pollUpdates = await figure(page, 'poll-updates');
    expect(pollUpdates).toBeGreaterThan(0);
    expect(pushUpdates).toBeGreaterThan(pollUpdates);
    expect(await figure(page, 'push-trades')).toBeGreaterThan(0);
    expect(await figure(page, 'push-missed')).toBe(0);
    await expect(page.textContent('[data-testid="summary"]')).resolves.toMatch(/^Push: [\d,]+ trades.* trade messages vs trade requests only: push \d+ B, polling \d+ B/);
    // Like for like: trade bytes are part of, and on the push side well below, all bytes in.
    expect(await figure(page, 'push-trade-bytes')).toBeGreaterThan(0);
    expect(await figure(page, 'push-trade-bytes')).toBeLessThan(await figure(page, 'push-bytes'));
    expect(await figure(page, 'poll-trade-bytes')).toBeLessThan(await figure(page, 'poll-bytes'));
    expect(await figure(page, 'push-updates')).toBeLessThan(await figure(page, 'push-requests'));
    await expect(page.getAttribute('[data-testid="push-p99"]', 'aria-describedby')).resolves.toBeTruthy();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1280x800.png') });
  });

  it('pauses to offline and, on resume, backfills what it missed from REST with no gap', async () => {
    const backfills = await figure(page, 'push-rest');
    await page.click('[data-testid="pause"]');
    await expect(page.textContent('[data-testid="status"]')).resolves.toBe('offline · paused');
    // Trades the paused page does not see.
    const newest = await untilAggId(server!.url, (await newestAggId(server!.url)) + 10);
    await page.click('[data-testid="pause"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === 'live', undefined, { timeout: 5000 });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="push-rest"]')?.getAttribute('data-value')) >= n + 2, backfills, { timeout: 5000 });
    await tapeReaches(page, 'push', newest);
    const rows = await tapeRun(page, 'push');
    expect(rows.length).toBeGreaterThan(5);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.f - rows[i]!.l).toBe(1);
    expect(await figure(page, 'push-missed')).toBe(0);
  });

  it('shows reconnecting while the server is down, then live, and the tape has no id gap afterwards', async () => {
    const before = await figure(page, 'push-trades');
    await server!.stop();
    await page.waitForFunction(() => /reconnecting/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    // The new server starts a new trade sequence (its warm-up trades, which the page never saw, come first).
    server = await startServerProcess(port, SERVER_ARGS);
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === 'live', undefined, { timeout: 20_000 });
    // Let the backfill land and some live trades follow it.
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="push-trades"]')?.getAttribute('data-value')) > n + 20,
      before,
      { timeout: 10_000 },
    );
    // The trade count and the tape change in one render: the tape is as far as the count.
    const rows = await tapeRun(page, 'push');
    expect(rows.length).toBeGreaterThan(5);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i - 1]!.a - rows[i]!.a, `aggregate ids ${rows[i]!.a} → ${rows[i - 1]!.a}`).toBe(1);
      expect(rows[i - 1]!.f - rows[i]!.l, `trade ids ${rows[i]!.l} → ${rows[i - 1]!.f}`).toBe(1);
    }
    expect(await figure(page, 'push-missed')).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-after-restart.png') });
  });

  it('switches both panels to another symbol', async () => {
    const solPrice = Number(await page.textContent('[data-testid="push-price"] .num'));
    await page.selectOption('[data-testid="symbol"]', 'BTCUSDT');
    await page.waitForFunction(
      (sol) =>
        ['push-price', 'poll-price'].every((id) => {
          const p = Number(document.querySelector(`[data-testid="${id}"] .num`)?.textContent);
          return p > 0 && Math.abs(p - sol) / sol > 0.5;
        }),
      solPrice,
      { timeout: 3000 },
    );
    expect(await figure(page, 'push-missed')).toBe(0);
  });

  it('stacks the panels at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => document.documentElement.clientWidth === 390, undefined, { timeout: 5000 });
    const push = await page.locator('[data-testid="panel-push"]').boundingBox();
    const poll = await page.locator('[data-testid="panel-poll"]').boundingBox();
    expect(push && poll).toBeTruthy();
    expect(poll!.y).toBeGreaterThanOrEqual(push!.y + push!.height - 1);
    expect(push!.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-390.png'), fullPage: true });
  });

  it('keeps the deciding figures of both sides in view, side by side, while scrolling the stacked panels', async () => {
    const viewport = { width: 390, height: 844 };
    for (const target of ['panel-push', 'push-tape', 'poll-price', 'poll-tape']) {
      await page.locator(`[data-testid="${target}"]`).scrollIntoViewIfNeeded();
      // Wait until the scroll has settled: the target is on screen.
      await page.waitForFunction((t) => {
        const r = document.querySelector(`[data-testid="${t}"]`)!.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight;
      }, target, { timeout: 5000 });
      const box = await page.locator('[data-testid="versus"]').boundingBox();
      expect(box, `summary while ${target} is in view`).toBeTruthy();
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
      expect(box!.height).toBeLessThan(viewport.height / 5);
      for (const key of ['trades', 'missed', 'p50', 'perTrade']) {
        const a = await page.locator(`[data-testid="versus-push-${key}"]`).boundingBox();
        const b = await page.locator(`[data-testid="versus-poll-${key}"]`).boundingBox();
        expect(Math.abs(a!.y - b!.y), `${key}: push and poll on one line`).toBeLessThan(2);
        expect(b!.x).toBeGreaterThan(a!.x + a!.width - 1);
      }
    }
    expect(await page.textContent('[data-testid="versus-push-trades"]')).toMatch(/^[\d,]+$/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-390-scrolled.png') });
    expect(pageErrors).toEqual([]);
  });

  /** Trades counted since the switch, none missed, the newest run of the tape without an id gap. */
  async function countsWithoutMisses(side: 'push' | 'poll', atLeast: number) {
    await page.waitForFunction(
      ([s, n]) => Number(document.querySelector(`[data-testid="${s}-trades"]`)?.getAttribute('data-value')) >= Number(n),
      [side, atLeast] as const,
      { timeout: 15_000 },
    );
    expect(await figure(page, `${side}-missed`)).toBe(0);
    const rows = await tapeRun(page, side);
    expect(rows.length).toBeGreaterThan(2);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.f - rows[i]!.l, `${side} trade ids ${rows[i]!.l} → ${rows[i - 1]!.f}`).toBe(1);
  }

  // The polled side restarts its count at the switch too: within a second it may have seen no trade yet ("—").
  it('pushes over Server-Sent Events when chosen: a price, trades counted, none missed', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.selectOption('[data-testid="symbol"]', 'SOLUSDT');
    await page.selectOption('[data-testid="push-transport"]', 'sse');
    // The page has switched (figures from zero) once the title says so; then the new connection goes live.
    await page.waitForFunction(() => document.querySelector('[data-testid="panel-push"] h2')?.textContent === 'Pushed as Server-Sent Events', undefined, { timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === 'live', undefined, { timeout: 5000 });
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="push-price"] .num')?.textContent ?? ''), undefined, { timeout: 5000 });
    await countsWithoutMisses('push', 40);
    await expect(page.textContent('[data-testid="summary"]')).resolves.toMatch(/^Push \(Server-Sent Events\): [\d,]+ trades.* push \d+ B, polling (\d+ B|—)/);
  });

  it('resumes Server-Sent Events across a server restart with no gap in the tape', async () => {
    const before = await figure(page, 'push-trades');
    await server!.stop();
    await page.waitForFunction(() => /reconnecting/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    server = await startServerProcess(port, SERVER_ARGS);
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === 'live', undefined, { timeout: 20_000 });
    await countsWithoutMisses('push', before + 40);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-sse-after-restart.png') });
  });

  it('polls by HTTP long-polling when chosen: a price, trades counted, none missed', async () => {
    await page.selectOption('[data-testid="poll-transport"]', 'long-poll');
    await page.waitForFunction(() => document.querySelector('[data-testid="panel-poll"] h2')?.textContent === 'Long-polled over HTTP', undefined, { timeout: 5000 });
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="poll-price"] .num')?.textContent ?? ''), undefined, { timeout: 5000 });
    await countsWithoutMisses('poll', 40);
    expect(await figure(page, 'poll-trade-bytes')).toBeGreaterThan(0);
    await expect(page.textContent('[data-testid="summary"]')).resolves.toMatch(/Long-polling \(every trade.*saw [\d,]+ of them \(0 missed\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-sse-long-poll.png') });
  });

  it('asks over the WebSocket API when chosen: a price, trades counted, none missed', async () => {
    await page.selectOption('[data-testid="push-transport"]', 'ws');
    await page.selectOption('[data-testid="poll-transport"]', 'ws-api');
    await page.selectOption('[data-testid="mode"]', 'every');
    await page.waitForFunction(() => document.querySelector('[data-testid="panel-poll"] h2')?.textContent === 'Asked over the WebSocket API', undefined, { timeout: 5000 });
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="poll-price"] .num')?.textContent ?? ''), undefined, { timeout: 5000 });
    await countsWithoutMisses('poll', 40);
    await countsWithoutMisses('push', 40);
    expect(await figure(page, 'poll-trade-bytes')).toBeGreaterThan(0);
    await expect(page.textContent('[data-testid="summary"]')).resolves.toMatch(/^Push: .*WebSocket API requests \(every trade\) every 1 s: saw [\d,]+ of them \(0 missed\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-ws-api.png') });
    expect(pageErrors).toEqual([]);
  });
});
