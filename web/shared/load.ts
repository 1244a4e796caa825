/** Data for a page: loads on mount and whenever its key changes; the error, if any, for the page to show. */
import { useEffect, useState } from 'preact/hooks';

export type Loaded<T> = { state: 'loading' } | { state: 'done'; data: T } | { state: 'failed'; error: unknown };

export function useLoad<T>(key: string, load: () => Promise<T>, onError?: (error: unknown) => void): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setLoaded({ state: 'loading' });
    load().then(
      (data) => current && setLoaded({ state: 'done', data }),
      (error: unknown) => {
        if (!current) return;
        onError?.(error);
        setLoaded({ state: 'failed', error });
      },
    );
    return () => {
      current = false;
    };
    // Keyed on purpose: `load` is a new closure on every render.
  }, [key]);
  return loaded;
}
