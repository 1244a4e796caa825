/**
 * Where the focus goes after an in-app navigation: reading goes on at the new page's content (`<main>`),
 * whether the path changed or only the query (`Next page`, `First page`, Back between two pages of a
 * list: the link that had the focus is gone with the page it was on, and the focus would be left on
 * nothing). Unless the page itself keeps the focus: the contacts' `Search` puts its text in the URL as
 * it is typed — also from the start page `/` to `/contacts?q=…`, a new path — and the typing goes on there.
 */
import { useLocation } from 'preact-iso/router';
import { useLayoutEffect, useRef } from 'preact/hooks';

export function useFocusAfterNavigation(): void {
  const { url } = useLocation();
  const last = useRef(url);
  // A layout effect, as the router's own: before the new page's effects, which may put the focus somewhere of their own.
  useLayoutEffect(() => {
    if (last.current === url) return;
    last.current = url;
    const main = document.getElementById('main');
    const focus = document.activeElement;
    // In the header (its navigation), or on nothing: the new page's content takes it.
    if (main && !(focus && focus !== main && main.contains(focus))) main.focus();
  }, [url]);
}
