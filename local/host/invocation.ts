import { randomUUID } from "node:crypto";
import { format } from "node:util";
import functionsLibrary from "@azure/functions";
import { runHooks, triggerOf, type CoreRegistry, type Registration } from "./registry.js";

// One invocation the way the worker runs it: a real InvocationContext, the invocation hooks, the handler,
// and host.json's functionTimeout.

// The library's CommonJS bundle defines these as getters that Node's ESM named-import detection misses.
const { InvocationContext } = functionsLibrary;

export type Invoke = (
  registration: Registration,
  input: unknown,
  triggerMetadata: Record<string, unknown> | undefined,
) => Promise<{ result: unknown; context: InstanceType<typeof InvocationContext> }>;

export function createInvoker({
  registry,
  functionTimeoutMs,
  log,
}: {
  registry: CoreRegistry;
  functionTimeoutMs: number | undefined;
  log: (line: string) => void;
}): Invoke {
  return async (registration, input, triggerMetadata) => {
    const invocationId = randomUUID();
    const trigger = triggerOf(registration);
    const context = new InvocationContext({
      invocationId,
      functionName: registration.name,
      triggerMetadata,
      options: {
        trigger: { ...trigger, name: trigger.name ?? "trigger", type: trigger.type },
        return: registration.metadata.bindings.$return as never,
        extraInputs: [],
        extraOutputs: [],
      },
      logHandler: (level, ...args) => {
        if (level === "debug" || level === "trace") return;
        log(`[${registration.name}] ${level === "information" ? "" : `${level}: `}${format(...args)}`);
      },
    });
    await runHooks(registry, "preInvocation", { invocationContext: context, inputs: [input], functionHandler: registration.handler });
    const handlerCall = Promise.resolve().then(() => registration.handler(input, context));
    const limit = functionTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = limit
        ? await Promise.race([
            handlerCall,
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`Timeout value of ${limit} ms (host.json functionTimeout) was exceeded by function: ${registration.name}`)),
                limit,
              );
            }),
          ])
        : await handlerCall;
      await runHooks(registry, "postInvocation", { invocationContext: context, inputs: [input], result, error: undefined });
      return { result, context };
    } finally {
      if (timer) clearTimeout(timer);
    }
  };
}
