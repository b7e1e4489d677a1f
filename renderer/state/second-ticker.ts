/**
 * One shared one-second clock for everything that shows elapsed time (ages, the header clock,
 * the trend's scrolling window), so thirty age cells cost one timer, not thirty.
 */
type Listener = () => void;

const listeners = new Set<Listener>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function tick(): void {
  now = Date.now();
  for (const listener of [...listeners]) listener();
}

export function subscribeSeconds(listener: Listener): () => void {
  listeners.add(listener);
  if (timer === null) {
    now = Date.now();
    timer = setInterval(tick, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

export function currentSecondTime(): number {
  return now;
}
