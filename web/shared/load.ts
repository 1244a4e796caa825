/** Data for a page: loads on mount and whenever its key changes; the error, if any, for the page to show. */
import { useEffect, useState } from 'preact/hooks';

export type Loaded<T> = { state: 'loading' } | { state: 'done'; data: T } | { state: 'failed'; error: unknown };

const LOADING = { state: 'loading' } as const;

export function useLoad<T>(key: string, load: () => Promise<T>, onError?: (error: unknown) => void): Loaded<T> {
  // Each answer remembers its key: the first render after the key changed (before the effect below
  // runs) must not show the previous key's answer as if it were this one's — not even for a frame.
  const [loaded, setLoaded] = useState<{ key: string; value: Loaded<T> }>({ key, value: LOADING });
  useEffect(() => {
    let current = true;
    setLoaded({ key, value: LOADING });
    load().then(
      (data) => current && setLoaded({ key, value: { state: 'done', data } }),
      (error: unknown) => {
        if (!current) return;
        onError?.(error);
        setLoaded({ key, value: { state: 'failed', error } });
      },
    );
    return () => {
      current = false;
    };
    // Keyed on purpose: `load` is a new closure on every render.
  }, [key]);
  return loaded.key === key ? loaded.value : LOADING;
}
