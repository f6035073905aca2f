// The deciding figures of both sides in two columns, kept in view (sticky) when the panels stack.
import type { ReadonlySignal } from '@preact/signals';
import type { VersusRow } from '../state/summary.ts';

export function Versus({ rows, pollTitle }: { rows: ReadonlySignal<readonly VersusRow[]>; pollTitle: ReadonlySignal<string> }) {
  return (
    <section class="versus" data-testid="versus" aria-label="Push and polling side by side">
      <table>
        <thead>
          <tr>
            <th scope="col" class="muted">
              same trades, two ways
            </th>
            <th scope="col" class="num side-push">
              Push
            </th>
            <th scope="col" class="num side-poll">
              {pollTitle}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.value.map((r) => (
            <tr key={r.key} title={r.tip}>
              <th scope="row" aria-describedby={`versus-${r.key}-tip`}>
                {r.label}
                <span id={`versus-${r.key}-tip`} hidden>
                  {r.tip}
                </span>
              </th>
              <td class="num" data-testid={`versus-push-${r.key}`}>
                {r.push}
              </td>
              <td class="num" data-testid={`versus-poll-${r.key}`}>
                {r.poll}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
