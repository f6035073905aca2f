// The 10 best levels a side from the partial-depth stream, asks above bids, with depth bars.
import type { ReadonlySignal } from '@preact/signals';
import type { SymbolInfo } from '../state/dashboard.ts';
import { formatPrice } from '../state/format.ts';
import type { Book } from '../state/push-feed.ts';

export function OrderBook({ book, info }: { book: ReadonlySignal<Book>; info: ReadonlySignal<SymbolInfo> }) {
  const { bids, asks } = book.value;
  const dec = info.value.priceDecimals;
  const max = Math.max(1e-12, ...bids.map((l) => Number(l[1])), ...asks.map((l) => Number(l[1])));
  const row = (side: 'bid' | 'ask', [p, q]: readonly [string, string]) => (
    <tr key={side + p} class={side}>
      <td class="num">{formatPrice(p, dec)}</td>
      <td class="num qty">
        <span class="bar-fill" style={{ width: `${(Number(q) / max) * 100}%` }} />
        {Number(q).toFixed(3)}
      </td>
    </tr>
  );
  return (
    <div class="book">
      <h3>Order book · best 10</h3>
      <table data-testid="book">
        <tbody>
          {[...asks].reverse().map((l) => row('ask', l))}
          <tr class="spread">
            <td colSpan={2} />
          </tr>
          {bids.map((l) => row('bid', l))}
        </tbody>
      </table>
    </div>
  );
}
