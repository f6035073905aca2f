// The described REST endpoints are exactly the served ones: same paths, same order, same base weights.
import { describe, expect, it } from 'vitest';
import { REST_ENDPOINT_DOCS } from '../../server/http/rest-catalog.ts';
import { createEndpoints } from '../../server/http/rest-endpoints.ts';
import { createManualClock } from '../../server/market/clock.ts';
import { createFakeMarket } from './fake-market.ts';
import { START_US } from './harness.ts';

describe('the REST endpoint catalog', () => {
  const served = createEndpoints(createFakeMarket(createManualClock(START_US)), { weightPerMinute: 6000 });

  it('lists every served path once, in the order they are served', () => {
    expect(REST_ENDPOINT_DOCS.map((d) => d.path)).toEqual(served.map((e) => e.path));
    expect(new Set(REST_ENDPOINT_DOCS.map((d) => d.path)).size).toBe(REST_ENDPOINT_DOCS.length);
  });

  it('states the base weight each served endpoint charges', () => {
    for (const e of served) {
      expect(REST_ENDPOINT_DOCS.find((d) => d.path === e.path)?.baseWeight, e.path).toBe(e.baseWeight);
    }
  });

  it('gives every endpoint a weight and a one-line meaning', () => {
    for (const d of REST_ENDPOINT_DOCS) {
      expect(d.weight, d.path).not.toBe('');
      expect(d.summary, d.path).toMatch(/^\S.*\.$/);
      expect(d.summary, d.path).not.toContain('\n');
    }
  });
});
