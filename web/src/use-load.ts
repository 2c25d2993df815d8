// The one way a view loads what it shows: fetch on mount and whenever `deps` change or reload() is called,
// abort the request in flight when they change again or the view goes away, and keep the last answer,
// whether a load is running, and the error of the last failed load.
import { useCallback, useEffect, useState } from 'preact/hooks';

import { errorMessage, isAbort } from './api';

export interface Load<T> {
  data: T | null; // the last answer; kept while a newer load runs
  loading: boolean;
  error: string | null; // cleared by the next answer (or at the start of a load with clearErrorFirst)
  setError: (error: string | null) => void; // for views that report their own actions in the same place
  reload: () => void;
}

export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  { clearErrorFirst = false }: { clearErrorFirst?: boolean } = {},
): Load<T> {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    if (clearErrorFirst) setError(null);
    load(controller.signal)
      .then((answer) => {
        setData(answer);
        setError(null);
        setLoading(false);
      })
      .catch((e) => {
        if (isAbort(e)) return;
        setError(errorMessage(e));
        setLoading(false);
      });
    return () => controller.abort();
  }, [...deps, attempt]);

  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  return { data, loading, error, setError, reload };
}
