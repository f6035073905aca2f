// Checks of an opening handshake that RFC 6455 §4.2.1–4.2.2 requires a server to refuse.
// Pure: the gateway copies the four headers out of the uWS request and hands them here.
import { UpgradeRefusal } from '../wire/errors.ts';

export interface HandshakeHeaders {
  readonly upgrade: string;
  readonly connection: string;
  readonly key: string;
  readonly version: string;
}

export type Refusal = (typeof UpgradeRefusal)[keyof typeof UpgradeRefusal];

/** A key is 16 bytes in base64: 22 characters of the alphabet, then `==` (RFC 6455 §4.1 point 7). */
const KEY = /^[A-Za-z0-9+/]{22}==$/;

/** True when the comma-separated header `value` holds `token` (case-insensitive, RFC 9110 §5.6.1). */
export function hasToken(value: string, token: string): boolean {
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/**
 * The refusal a stream path answers, or undefined for a valid handshake. A GET with neither
 * `Upgrade` nor a key is not a handshake at all: 426 tells a browser what the path is for.
 * Otherwise: `Upgrade: websocket`, `Connection: Upgrade` and a 16-byte key are required (400),
 * then `Sec-WebSocket-Version: 13`, the only version there is (426, the refusal carries the header).
 */
export function checkHandshake(h: HandshakeHeaders): Refusal | undefined {
  if (h.upgrade === '' && h.key === '') return UpgradeRefusal.notWebSocket;
  if (!hasToken(h.upgrade, 'websocket')) return UpgradeRefusal.badUpgrade;
  if (!hasToken(h.connection, 'upgrade')) return UpgradeRefusal.badConnection;
  if (!KEY.test(h.key)) return UpgradeRefusal.badKey;
  if (h.version.trim() !== '13') return UpgradeRefusal.badVersion;
  return undefined;
}
