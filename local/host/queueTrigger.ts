import { randomUUID } from "node:crypto";
import { format } from "node:util";
import type { HostActivity } from "./activity.js";
import { resolveSettingExpressions, type HostConfig } from "./config.js";
import type { Invoke } from "./invocation.js";
import { triggerOf, type Registration } from "./registry.js";
import type { StorageClients } from "./storage.js";

// Queue triggers: poll the queue, decode base64 messages, pass dequeueCount; a failed message reappears
// after host.json's visibilityTimeout and moves to {queue}-poison after maxDequeueCount.

export interface QueueTriggerDeps {
  config: HostConfig;
  storage: StorageClients;
  activity: HostActivity;
  invoke: Invoke;
  log: (line: string) => void;
}

interface ReceivedMessage {
  messageId: string;
  popReceipt: string;
  messageText: string;
  dequeueCount: number;
  insertedOn: Date;
  expiresOn: Date;
  nextVisibleOn: Date;
}

export function startQueueTrigger(r: Registration, { config, storage, activity, invoke, log }: QueueTriggerDeps): void {
  const trigger = triggerOf(r);
  const queueName = resolveSettingExpressions(String(trigger.queueName), process.env);
  const queue = storage.queueService(trigger.connection).getQueueClient(queueName);
  let active = 0;
  const { batchSize, maxDequeueCount, visibilityTimeoutMs } = config.queues;
  // The lease while a message is being processed; on failure the message reappears after host.json visibilityTimeout.
  const leaseSeconds = Math.max(30, Math.ceil((config.functionTimeoutMs ?? 600_000) / 1000));

  const processMessage = async (message: ReceivedMessage) => {
    let text = message.messageText;
    if (config.queues.messageEncoding === "base64") {
      const decoded = decodeBase64Strict(text);
      if (decoded === undefined) {
        // The real host cannot bind such a message either; it fails and eventually goes to the poison queue.
        log(`[${r.name}] error: message ${message.messageId} is not valid base64 (host.json messageEncoding is base64)`);
        await failMessage(message, new Error("message is not base64"));
        return;
      }
      text = decoded;
    }
    let input: unknown = text;
    try {
      input = JSON.parse(text);
    } catch {
      // Not JSON: the handler gets the string, as with the real host.
    }
    const triggerMetadata = {
      dequeueCount: message.dequeueCount,
      expirationTime: message.expiresOn.toISOString(),
      id: message.messageId,
      insertionTime: message.insertedOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      popReceipt: message.popReceipt,
      queueTrigger: text,
      sys: { methodName: r.name, utcNow: new Date().toISOString(), randGuid: randomUUID() },
    };
    try {
      await invoke(r, input, triggerMetadata);
      await queue.deleteMessage(message.messageId, message.popReceipt);
    } catch (err) {
      log(`[${r.name}] error: message ${message.messageId} attempt ${message.dequeueCount} of ${maxDequeueCount} failed: ${format(err)}`);
      await failMessage(message, err);
    }
  };

  const failMessage = async (message: Pick<ReceivedMessage, "messageId" | "popReceipt" | "messageText" | "dequeueCount">, _err: unknown) => {
    if (message.dequeueCount >= maxDequeueCount) {
      const poisonQueue = storage.queueService(trigger.connection).getQueueClient(`${queueName}-poison`);
      await poisonQueue.createIfNotExists();
      await poisonQueue.sendMessage(message.messageText);
      await queue.deleteMessage(message.messageId, message.popReceipt);
      log(`[host] ${r.name}: message ${message.messageId} moved to queue ${queueName}-poison after ${message.dequeueCount} attempts`);
    } else {
      await queue.updateMessage(message.messageId, message.popReceipt, undefined, Math.ceil(visibilityTimeoutMs / 1000));
    }
  };

  activity.startListener(`queue trigger ${r.name} (${queueName})`, async () => {
    if (active >= batchSize) return true;
    let received;
    try {
      received = await queue.receiveMessages({ numberOfMessages: batchSize - active, visibilityTimeout: leaseSeconds });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw err;
    }
    for (const message of received.receivedMessageItems) {
      active++;
      void activity
        .track(processMessage(message), true)
        .catch((err) => log(`[host] error: ${r.name} could not settle message ${message.messageId}: ${format(err)}`))
        .finally(() => {
          active--;
        });
    }
    if (received.receivedMessageItems.length > 0 || active > 0) return true;
    // Messages waiting for their retry are invisible but still counted: the queue is not done yet.
    const props = await queue.getProperties();
    return (props.approximateMessagesCount ?? 0) > 0;
  });
}

function decodeBase64Strict(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) return undefined;
  return Buffer.from(trimmed, "base64").toString("utf8");
}
