// The load process's end of the IPC channel to the runner: typed sends, one handler per message,
// and exit when the runner goes away.
import type { FromLoad, StartMsg, SubscribeMsg, ToLoad } from './protocol.ts';

export const send = (m: FromLoad): void => {
  process.send?.(m);
};

export interface RunnerHandlers {
  start(m: StartMsg): void;
  subscribe(m: SubscribeMsg): void;
  measure(): void;
  stop(): void;
}

export function onRunner(h: RunnerHandlers): void {
  process.on('message', (m: ToLoad) => {
    if (m.type === 'start') h.start(m);
    else if (m.type === 'subscribe') h.subscribe(m);
    else if (m.type === 'measure') h.measure();
    else if (m.type === 'stop') h.stop();
  });
  process.on('disconnect', () => process.exit(0));
}
