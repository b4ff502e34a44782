import { format } from "node:util";
import type { Timer } from "@azure/functions";
import type { HostActivity } from "./activity.js";
import { resolveSettingExpressions } from "./config.js";
import type { Invoke } from "./invocation.js";
import { nextOccurrence, parseNcrontab, type CronSchedule } from "./ncrontab.js";
import { triggerOf, type Registration } from "./registry.js";

// Timer triggers: fire on the 6-field NCRONTAB schedule (UTC), with a Timer like the real host's; an
// occurrence is skipped while the previous run is still going.

export interface TimerDeps {
  activity: HostActivity;
  invoke: Invoke;
  log: (line: string) => void;
}

/** Plans the timer's occurrences (and its runOnStartup run); throws when the schedule is invalid. */
export function startTimer(r: Registration, { activity, invoke, log }: TimerDeps): void {
  const trigger = triggerOf(r);
  const expression = resolveSettingExpressions(String(trigger.schedule), process.env);
  let schedule: CronSchedule;
  try {
    schedule = parseNcrontab(expression);
  } catch (err) {
    log(`[host] error: ${r.name}: ${(err as Error).message}`);
    throw err;
  }
  let last: Date | undefined;
  let timerRunning = false;
  const fire = async (scheduledFor: Date, reason: string) => {
    if (timerRunning) {
      log(`[host] ${r.name}: previous run still in progress; skipping the ${scheduledFor.toISOString()} occurrence`);
      return;
    }
    timerRunning = true;
    const now = new Date();
    const next = nextOccurrence(schedule, new Date(Math.max(now.getTime(), scheduledFor.getTime())));
    const timer: Timer = {
      // Past due when the host fires noticeably later than scheduled (the real host compares with its monitor).
      isPastDue: now.getTime() - scheduledFor.getTime() > 1000,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: (last ?? new Date("0001-01-01T00:00:00Z")).toISOString(),
        next: next?.toISOString() ?? "",
        lastUpdated: now.toISOString(),
      },
    };
    last = scheduledFor;
    try {
      await invoke(r, timer, undefined);
      log(`[host] ${r.name}: timer ran (${reason})`);
    } catch (err) {
      log(`[${r.name}] error: timer run failed: ${format(err)}`);
    } finally {
      timerRunning = false;
    }
  };
  let planned: Date | undefined;
  const scheduleNext = () => {
    if (activity.stopping) return;
    // From the occurrence just planned, not only from now: a timeout that fires a few ms early
    // would otherwise plan (and run) the same occurrence twice.
    const next = nextOccurrence(schedule, new Date(Math.max(Date.now(), planned?.getTime() ?? 0)));
    if (!next) {
      log(`[host] warning: ${r.name}: schedule "${expression}" never fires`);
      return;
    }
    // setTimeout caps near 24.8 days; re-plan long waits in steps.
    const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    activity.later(Math.max(0, wait), () => {
      if (Date.now() + 5 < next.getTime()) return scheduleNext();
      planned = next;
      void activity.track(fire(next, "schedule"), true);
      scheduleNext();
    });
  };
  if (trigger.runOnStartup) void activity.track(fire(new Date(), "runOnStartup"), true);
  scheduleNext();
}
