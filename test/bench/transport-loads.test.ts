// The new load kinds' parsers and the transports' comparison with push: chunked SSE bodies split
// anywhere still yield every trade once, a /poll answer's cursor, a WebSocket API frame's result,
// and the verdict line read from the rows' own figures.
import { describe, expect, it } from 'vitest';
import { createDechunker, sseTrades } from '../../bench/load/sse-reader.ts';
import { answerCursor } from '../../bench/load/long-poller.ts';
import { resultOf } from '../../bench/load/ws-api-requester.ts';
import { newTrades } from '../../bench/load/rest-scan.ts';
import { compareTransports, transportLine, transportVerdicts } from '../../bench/report/transports.ts';
import type { Row } from '../../bench/row.ts';

const event = (t: number) => `id: ${t}\nevent: solusdt@trade\ndata: {"stream":"solusdt@trade","data":{"e":"trade","E":${1_700_000_000_000_000 + t},"s":"SOLUSDT","t":${t},"T":1}}\n\n`;

describe('transport load kinds', () => {
  it('reads every SSE trade once from a chunked body, however the reads split it', () => {
    const body = 'retry: 1000\n\n' + [1, 2, 3, 4, 5].map(event).join('') + ':\n\n';
    // Chunks of 37 bytes, each framed as `<hex>\r\n<data>\r\n`.
    let wire = '';
    for (let i = 0; i < body.length; i += 37) {
      const part = body.slice(i, i + 37);
      wire += `${part.length.toString(16)}\r\n${part}\r\n`;
    }
    const bytes = Buffer.from(wire, 'latin1');
    for (const step of [1, 7, 64, bytes.length]) {
      let text = '';
      const ids: number[] = [];
      const d = createDechunker((piece) => {
        text += piece;
        const r = sseTrades(text);
        text = r.rest;
        for (const [E, t] of r.trades) {
          expect(E).toBe(1_700_000_000_000_000 + t);
          ids.push(t);
        }
      });
      for (let i = 0; i < bytes.length; i += step) d.push(bytes, i, Math.min(bytes.length, i + step));
      expect(ids, `reads of ${step} bytes`).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('finds the cursor of a /poll answer', () => {
    expect(answerCursor(Buffer.from('{"cursor":"8163","more":false,"gaps":[],"events":[]}'))).toBe('8163');
    expect(answerCursor(Buffer.from('{"code":-1003}'))).toBeNull();
  });

  it('takes the trades out of a WebSocket API response frame as the REST pollers do', () => {
    const frame = Buffer.from('{"id":1,"status":200,"result":[{"id":7,"price":"1","qty":"1","quoteQty":"1","time":1700000000000001,"isBuyerMaker":true,"isBestMatch":true},{"id":8,"price":"1","qty":"1","quoteQty":"1","time":1700000000000002,"isBuyerMaker":true,"isBestMatch":true}]}');
    const result = resultOf(frame, 0, frame.length)!;
    expect(newTrades(Buffer.from(result), 7)).toEqual([[8, 1700000000000002]]);
    expect(resultOf(Buffer.from('{"id":1,"status":400,"error":{"code":-1121}}'), 0, 44)).toBeNull();
  });

  it('says where each transport stands against push from the rows at the same connections and rate', () => {
    const row = (arm: string, p50: number, cpu: number, bytes: number, loss = 0) => ({
      arm, scenario: 'fanout', requestedConnections: 100, connections: 100, rate: 100, stream: 'raw', eventsPerSec: 100,
      deliveredPerSec: 10_000, lossRate: loss, latencyUs: { p50, p99: p50 * 3 }, serverCpuMsPer1kUpdates: cpu, bytesPerUpdate: bytes,
    }) as unknown as Row;
    const list = compareTransports([row('push', 1000, 10, 100), row('sse', 2000, 15, 150), row('long-poll', 4000, 30, 300, 0.01)]);
    expect(list.map((c) => c.arm)).toEqual(['sse', 'long-poll']);
    expect(transportVerdicts(list)).toEqual([
      'sse against push (100 conns): lost nothing; latency p50 ×2.00, server CPU per update ×1.50, bytes per update ×1.50 push\'s.',
      'long-poll against push (100 conns): lost up to 1.0%; latency p50 ×4.00, server CPU per update ×3.00, bytes per update ×3.00 push\'s.',
    ]);
    // At two connection counts each figure is given per count, never averaged across them.
    const two = compareTransports([row('push', 1000, 10, 100), row('sse', 2000, 15, 150), { ...row('push', 1000, 1, 100), requestedConnections: 1000, connections: 1000 } as Row,
      { ...row('sse', 100_000, 10, 150), requestedConnections: 1000, connections: 1000 } as Row]);
    expect(transportVerdicts(two)[0]).toBe(
      'sse against push (100, 1000 conns): lost nothing; latency p50 ×2.00 at 100, ×100 at 1000 conns, server CPU per update ×1.50 at 100, ×10 at 1000 conns, bytes per update ×1.50 at 100, ×1.50 at 1000 conns push\'s.',
    );
  });

  it("says so when a transport row did not run at push's event rate (its server starved the market)", () => {
    const row = (arm: string, eventsPerSec: number, cpu: number) => ({
      arm, scenario: 'fanout', requestedConnections: 10_000, connections: 10_000, rate: 100, stream: 'raw', eventsPerSec,
      deliveredPerSec: eventsPerSec * 10_000, lossRate: 0, latencyUs: { p50: 1000, p99: 3000 }, serverCpuMsPer1kUpdates: cpu, bytesPerUpdate: 150,
    }) as unknown as Row;
    const [starved] = compareTransports([row('push', 233, 0.44), row('sse', 15.8, 13.4)]);
    expect(starved!.rateDiffers).toBe(true);
    expect(transportLine(starved!)).toMatch(/NOT AT ONE EVENT RATE: 16 trades\/s here, 233 in push's row/);
    expect(transportVerdicts([starved!])[0]).toMatch(/\(at 10000 conns not at push's event rate: see above\)\.$/);
    // Within a quarter of each other is one rate, as the rows' own noise goes.
    const [close] = compareTransports([row('push', 200, 0.44), row('sse', 170, 1)]);
    expect(close!.rateDiffers).toBe(false);
    expect(transportLine(close!)).not.toMatch(/NOT AT ONE/);
  });
});
