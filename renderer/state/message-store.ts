/** The non-blocking message line: the latest error from a call, until dismissed or replaced. */
export interface UiMessage {
  id: number;
  text: string;
  at: number;
}

export class MessageStore {
  private current: UiMessage | null = null;
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): UiMessage | null => this.current;

  /** A message that is not an error (e.g. why the session changed on its own). */
  report(text: string, now: number = Date.now()): void {
    this.current = { id: this.nextId++, text, at: now };
    this.emit();
  }

  /** `what` says what failed, in the operator's words ("Loading history"). */
  reportError(what: string, error: unknown, now: number = Date.now()): void {
    const message = error instanceof Error ? error.message : String(error);
    this.current = { id: this.nextId++, text: `${what} failed: ${message}`, at: now };
    this.emit();
  }

  dismiss(id: number): void {
    if (this.current?.id !== id) return;
    this.current = null;
    this.emit();
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
