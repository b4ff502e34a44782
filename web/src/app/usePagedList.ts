import { useEffect, useState } from "preact/hooks";
import { ApiError, type Api, type Query } from "./api.js";
import { useApiGet, type ApiGet } from "./useApiGet.js";

// A table's pages over continuation tokens: the token that opens each page visited so far (the last one is the
// page on screen), back to the first page whenever the query changes, and a notice when a token outlived its
// result set (two refreshes later) and paging started again.

/** What a paged list answers: its rows of this page, whether anything was computed yet, the next page's token. */
export interface ListPage {
  status?: string;
  items: readonly unknown[];
  continuationToken?: string;
}

export interface PagedList<T> {
  list: ApiGet<T>;
  /** 1-based. */
  page: number;
  next: () => void;
  previous: () => void;
  /** Set when the results were refreshed under the user's paging. */
  notice?: string;
  /** The list's error, unless it was an expired token (handled by starting again). */
  error?: unknown;
}

export function usePagedList<T extends { continuationToken?: string }>(api: Api, path: string, query: Query): PagedList<T> {
  const key = JSON.stringify(query);
  const [paging, setPaging] = useState<{ key: string; tokens: (string | undefined)[]; notice?: string }>({ key, tokens: [undefined] });
  const current = paging.key === key ? paging : { key, tokens: [undefined] };
  const list = useApiGet<T>(api, path, { ...query, continuationToken: current.tokens[current.tokens.length - 1] });

  const tokenExpired = list.error instanceof ApiError && list.error.field === "continuationToken";
  useEffect(() => {
    if (!tokenExpired) return;
    setPaging({ key, tokens: [undefined], notice: "The results were refreshed while you were paging; this is the first page of the new results." });
  }, [tokenExpired, key]);

  return {
    list,
    page: current.tokens.length,
    next: () => {
      const token = list.data?.continuationToken;
      if (token) setPaging({ key, tokens: [...current.tokens, token] });
    },
    previous: () => setPaging({ key, tokens: current.tokens.length > 1 ? current.tokens.slice(0, -1) : current.tokens }),
    notice: paging.key === key ? paging.notice : undefined,
    error: tokenExpired ? undefined : list.error,
  };
}
