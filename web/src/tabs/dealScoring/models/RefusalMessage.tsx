import type { ComponentChildren } from "preact";
import { refusalOf } from "./refusal.js";

// A refused action, shown in words where the action was asked for.

export function RefusalMessage({ error, children }: { error: unknown; children?: ComponentChildren }) {
  const refusal = refusalOf(error);
  return (
    <div class="state error refusal" role="alert">
      <p class="title">{refusal.title}</p>
      <p>{refusal.message}</p>
      {refusal.facts.length > 0 && (
        <ul>
          {refusal.facts.map((fact) => (
            <li key={fact}>{fact}</li>
          ))}
        </ul>
      )}
      {children}
    </div>
  );
}
