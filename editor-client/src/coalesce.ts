/**
 * Restart coalescing. Requests that arrive within `delayMs` of each other share one
 * run; requests that arrive while a run is in progress share exactly one follow-up run
 * (which starts after the current one ends, so the newest settings are picked up).
 */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
}

export class Coalescer {
  private running: Promise<void> | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly delayMs = 250,
    private readonly timers: Timers = globalThis,
  ) {}

  /** Ask for a run; resolves when the run that covers this request has finished. */
  request(): Promise<void> {
    if (!this.pending) this.pending = this.schedule();
    return this.pending;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  private schedule(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.timers.setTimeout(() => {
        void this.afterCurrent().then(resolve, reject);
      }, this.delayMs);
    });
  }

  private async afterCurrent(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    this.pending = undefined;
    const run = this.task();
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }
}
