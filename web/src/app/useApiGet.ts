import { useCallback, useEffect, useState } from "preact/hooks";
import { isAbort, type Api, type Query } from "./api.js";

// One GET kept in step with its query: the previous answer stays on screen while the next loads (and it
// counts as loading from the moment the query changes), an answer to an outdated query is dropped
// (aborted), and reload() asks again.

export interface ApiGet<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

export function useApiGet<T>(api: Api, path: string, query?: Query): ApiGet<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; settledFor?: string }>({});
  const [attempt, setAttempt] = useState(0);
  const key = JSON.stringify([path, query ?? {}]);
  const request = `${key}#${attempt}`;
  useEffect(() => {
    const controller = new AbortController();
    api.get<T>(path, JSON.parse(key)[1] as Query, controller.signal).then(
      (data) => setState({ data, settledFor: request }),
      (error) => {
        if (!isAbort(error)) setState((s) => ({ data: s.data, error, settledFor: request }));
      },
    );
    return () => controller.abort();
  }, [api, request]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const loading = state.settledFor !== request;
  // An error belongs to the request that failed; a newer request in flight hides it.
  return { data: state.data, error: loading ? undefined : state.error, loading, reload };
}
