import { useState } from "preact/hooks";
import { describeError, type Api } from "../../app/api.js";
import type { Opportunity, OpportunityFeedback } from "../../app/types.js";
import { useModal } from "../../components/useModal.js";
import { feedbackReasonLabels, type FeedbackReason } from "./query.js";

// Feedback on one opportunity: helpful, or not helpful with a reason (and a comment for "other"). Not helpful hides
// the opportunity until its product or probability changes; the parent reads the list again.

export function FeedbackButtons({ api, opportunity, given, onSaved }: {
  api: Api;
  opportunity: Opportunity;
  /** What this page saved for it already. */
  given?: OpportunityFeedback;
  onSaved: (feedback: OpportunityFeedback) => void;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const send = async (body: { helpful: boolean; reason?: FeedbackReason; comment?: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api.send<OpportunityFeedback>("POST", `/api/opportunities/${encodeURIComponent(opportunity.id)}/feedback`, body);
      if (saved) onSaved(saved);
      setAsking(false);
    } catch (err) {
      setError(`The feedback could not be saved: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const who = `${opportunity.tenantName}, ${opportunity.type}`;
  if (given?.helpful) {
    return (
      <span class="feedback-given" role="status">
        Marked helpful
      </span>
    );
  }
  return (
    <div class="feedback">
      <button type="button" class="secondary small" disabled={busy} aria-label={`Helpful: ${who}`} onClick={() => send({ helpful: true })}>
        Helpful
      </button>
      <button type="button" class="secondary small" disabled={busy} aria-label={`Not helpful: ${who}`} onClick={() => (setError(undefined), setAsking(true))}>
        Not helpful…
      </button>
      {error && !asking && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
      {asking && <NotHelpfulDialog who={who} busy={busy} error={error} onSend={send} onCancel={() => setAsking(false)} />}
    </div>
  );
}

function NotHelpfulDialog({ who, busy, error, onSend, onCancel }: {
  who: string;
  busy: boolean;
  error?: string;
  onSend: (body: { helpful: false; reason: FeedbackReason; comment?: string }) => void;
  onCancel: () => void;
}) {
  const { ref, onCancel: cancel } = useModal(onCancel);
  const [reason, setReason] = useState<FeedbackReason>();
  const [comment, setComment] = useState("");
  const [problem, setProblem] = useState<string>();
  const submit = (event: Event) => {
    event.preventDefault();
    if (!reason) return setProblem("Choose why it is not helpful.");
    if (reason === "other" && !comment.trim()) return setProblem("Say in a few words why (required with Other).");
    setProblem(undefined);
    onSend({ helpful: false, reason, ...(comment.trim() ? { comment: comment.trim() } : {}) });
  };
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="feedback-title"
      onCancel={cancel}
    >
      <form onSubmit={submit} noValidate>
        <h2 id="feedback-title">Not helpful</h2>
        <p class="quiet">{who}. It is hidden until its product or probability changes.</p>
        <fieldset class="reasons">
          <legend>Why?</legend>
          {(Object.keys(feedbackReasonLabels) as FeedbackReason[]).map((r) => (
            <label key={r} class="check">
              <input type="radio" name="reason" value={r} checked={reason === r} onChange={() => setReason(r)} />
              {feedbackReasonLabels[r]}
            </label>
          ))}
        </fieldset>
        <label for="feedback-comment">Comment{reason === "other" ? "" : " (optional)"}</label>
        <textarea id="feedback-comment" rows={3} maxLength={2000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        {(problem ?? error) && (
          <p class="error" role="alert">
            {problem ?? error}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save feedback"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
