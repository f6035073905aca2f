// What every client of one load process shares: the measurement window, the open sockets (all
// destroyed at stop) and one read buffer.
import type net from 'node:net';
import type { Window } from './window.ts';

export interface LoadContext {
  readonly window: Window;
  readonly sockets: Set<net.Socket>;
  /**
   * One read buffer for every socket of this process (net's `onread`): a read is handled
   * synchronously, so nothing is allocated per read; the parsers copy what they must keep.
   */
  readonly readBuffer: Buffer;
  /** False once the runner said stop: pollers send no further request. */
  running: boolean;
}
