// In-process bus: synchronous fan-out to handlers in the same process. The default.
import type { BatchHandler, Bus } from './bus.ts';

export function createMemoryBus(): Bus {
  const handlers = new Map<string, Set<BatchHandler>>();
  return {
    publish(channel, events) {
      if (events.length === 0) return;
      const set = handlers.get(channel);
      if (!set) return;
      // A handler that throws must not starve the others of this batch; the error is rethrown
      // after everyone has been served so that it is not swallowed.
      let failure: unknown;
      for (const handler of set) {
        try {
          handler(events);
        } catch (err) {
          failure ??= err;
        }
      }
      if (failure !== undefined) throw failure;
    },
    subscribe(channel, handler) {
      let set = handlers.get(channel);
      if (!set) handlers.set(channel, (set = new Set()));
      // Wrap so that one function subscribed twice gets two independent subscriptions.
      const entry: BatchHandler = (events) => handler(events);
      set.add(entry);
      return () => {
        set.delete(entry);
        if (set.size === 0 && handlers.get(channel) === set) handlers.delete(channel);
      };
    },
    async close() {
      handlers.clear();
    },
  } satisfies Bus;
}
