// Off-the-shelf Binance clients against the gateway, changing only their base URL.
import { afterEach, describe, expect, it } from 'vitest';
import { WebsocketClient } from 'binance';
import { event } from '../wire/fixtures.ts';
import { sleep, startGateway, until, type TestServer } from './harness.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const quiet = { trace: () => {}, info: () => {}, error: () => {} };

describe('the binance npm client', () => {
  it('subscribes with a numeric id and receives trades through /stream', async () => {
    const s = (server = await startGateway());
    const client = new WebsocketClient({ wsUrl: `ws://127.0.0.1:${s.port}`, beautify: false }, quiet as never);
    const got: any[] = [];
    client.on('message', (msg: any) => got.push(msg));
    try {
      await client.subscribe(['solusdt@trade'], 'main');
      await until(() => s.metrics.read('tickwire_ws_subscriptions') === 1, 5000, 'the subscription');
      for (let id = 1; got.length === 0 && id < 100; id++) {
        s.publish([event.trade(id)]);
        await sleep(20);
      }
      expect(got[0]).toMatchObject({ streamName: 'solusdt@trade', e: 'trade', s: 'SOLUSDT', t: 1 });
    } finally {
      client.closeAll(false);
    }
  });
});
