// The one-line verdict across the top, and any error worth a user's attention.
import type { ReadonlySignal } from '@preact/signals';

export function Strip({ text, error, socketError }: { text: ReadonlySignal<string>; error: ReadonlySignal<string | null>; socketError: ReadonlySignal<string | null> }) {
  return (
    <section class="strip" aria-live="off">
      <p data-testid="summary">{text}</p>
      {error.value && <p class="error">{error}</p>}
      {socketError.value && <p class="error">WebSocket: {socketError}</p>}
    </section>
  );
}
