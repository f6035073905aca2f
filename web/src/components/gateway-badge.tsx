// Which gateway of a fleet serves the page: the socket's (GET_PROPERTY "gateway") and the polls'
// (X-Tickwire-Gateway). After a gateway dies it shows the move: "reconnecting (was gw2)", then
// "gw3 (was gw2)". Nothing is shown without a fleet proxy in front (no names to show).
import { useComputed, type ReadonlySignal } from '@preact/signals';
import type { SocketStatus } from '../state/socket.ts';

export interface GatewayBadgeProps {
  readonly status: ReadonlySignal<SocketStatus>;
  readonly socketGateway: ReadonlySignal<string | null>;
  readonly previousGateway: ReadonlySignal<string | null>;
  readonly pollGateway: ReadonlySignal<string | null>;
}

/** The socket's line: where it is live, or that it is moving, and where it was before. */
export function socketGatewayText(status: SocketStatus, now: string | null, before: string | null): string | null {
  const was = before !== null && before !== now ? ` (was ${before})` : '';
  if (status.kind === 'live' && now !== null) return `socket on ${now}${was}`;
  if (status.kind === 'reconnecting' || status.kind === 'connecting') return before !== null ? `socket reconnecting (was ${before})` : null;
  return null;
}

export function GatewayBadge(p: GatewayBadgeProps) {
  const socketText = useComputed(() => socketGatewayText(p.status.value, p.socketGateway.value, p.previousGateway.value));
  const pollText = useComputed(() => (p.pollGateway.value === null ? null : `polls on ${p.pollGateway.value}`));
  const shown = useComputed(() => socketText.value !== null || pollText.value !== null);
  if (!shown.value) return null;
  return (
    <span
      class="gateways muted"
      data-testid="gateways"
      data-socket={p.socketGateway.value ?? ''}
      data-poll={p.pollGateway.value ?? ''}
      title="The fleet's gateways serving this page: the WebSocket's, and the last poll's (a load balancer spreads requests over them)"
    >
      {socketText.value ?? ''}
      {socketText.value && pollText.value ? ' · ' : ''}
      {pollText.value ?? ''}
    </span>
  );
}
