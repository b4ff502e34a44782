import { format } from "node:util";

// The host's background work: invocations in flight, polling listeners and pending timeouts. It answers
// what idle() and stop() ask: is anything still running or pending, and what must finish first.

interface Listener {
  name: string;
  /** Start time of the first poll of the current run of polls that found no work. */
  quietSince: number | undefined;
  /** Start time of the latest poll that found no work. */
  lastQuietPoll: number | undefined;
  stop(): void;
}

export interface HostActivity {
  /** True once stop() began: nothing new is started. */
  readonly stopping: boolean;
  /** Counts `work` as running until it settles; background work (triggers, timers) also keeps the host from idle. */
  track<T>(work: Promise<T>, background: boolean): Promise<T>;
  /** Runs `fn` after `ms`, unless the host stops first. */
  later(ms: number, fn: () => void): void;
  /** Waits `ms`, or less when the host stops (so stop() never waits for a retry that will not happen). */
  delayUnlessStopping(ms: number): Promise<void>;
  /** A polling loop, every pollIntervalMs: `poll` returns true when it found work. */
  startListener(name: string, poll: () => Promise<boolean>): void;
  /** Resolves when no background work is running or pending and every listener polled quiet since. */
  idle(options?: { timeoutMs?: number }): Promise<void>;
  /** Stops listeners and pending timeouts and ends delays; work already running goes on. */
  beginStop(): void;
  /** Resolves when the work running now has settled, or after `graceMs` when given. */
  settled(graceMs?: number): Promise<void>;
}

export function createActivity({ pollIntervalMs, log }: { pollIntervalMs: number; log: (line: string) => void }): HostActivity {
  let stopping = false;
  const running = new Set<Promise<unknown>>();
  let backgroundRunning = 0;
  let lastActivityAt = Date.now();
  const listeners: Listener[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const stopSignal = new AbortController();

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const track = <T>(work: Promise<T>, background: boolean): Promise<T> => {
    running.add(work);
    if (background) {
      backgroundRunning++;
      lastActivityAt = Date.now();
    }
    const done = () => {
      running.delete(work);
      if (background) {
        backgroundRunning--;
        lastActivityAt = Date.now();
      }
    };
    work.then(done, done);
    return work;
  };

  return {
    get stopping() {
      return stopping;
    },
    track,
    later,
    delayUnlessStopping: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        stopSignal.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      }),
    startListener(name, poll) {
      const listener: Listener = { name, quietSince: undefined, lastQuietPoll: undefined, stop: () => undefined };
      let stopped = false;
      listener.stop = () => {
        stopped = true;
      };
      const loop = async () => {
        if (stopped || stopping) return;
        const startedAt = Date.now();
        try {
          const found = await poll();
          if (found || backgroundRunning > 0) listener.quietSince = undefined;
          else {
            listener.quietSince ??= startedAt;
            listener.lastQuietPoll = startedAt;
          }
        } catch (err) {
          listener.quietSince = undefined;
          if (!stopping) log(`[host] warning: ${name} polling failed: ${format(err)}`);
        }
        if (!stopped && !stopping) later(pollIntervalMs, () => void loop());
      };
      listeners.push(listener);
      void loop();
    },
    async idle({ timeoutMs = 120_000 } = {}) {
      const calledAt = Date.now();
      for (;;) {
        if (stopping) return;
        const since = Math.max(calledAt, lastActivityAt);
        // Every listener must have polled, found nothing, after the last invocation ended (and after this call).
        const quiet =
          backgroundRunning === 0 &&
          listeners.every((l) => l.quietSince !== undefined && l.lastQuietPoll !== undefined && l.lastQuietPoll > since);
        if (quiet) return;
        if (Date.now() - calledAt > timeoutMs) {
          throw new Error(`local host not idle after ${timeoutMs} ms (${backgroundRunning} invocations running or waiting for a retry)`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, pollIntervalMs)));
      }
    },
    beginStop() {
      stopping = true;
      stopSignal.abort();
      listeners.forEach((l) => l.stop());
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
    async settled(graceMs) {
      const all = Promise.allSettled([...running]);
      if (graceMs === undefined) {
        await all;
        return;
      }
      const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([all, grace]);
    },
  };
}
