import { useSession } from '../session';
import { useTitle } from './common';

export function NotFound() {
  const { t } = useSession();
  useTitle(t.notFound.title);
  return (
    <section>
      <h1>{t.notFound.title}</h1>
      <p>{t.notFound.text}</p>
      <p>
        <a href="/contacts">{t.notFound.home}</a>
      </p>
    </section>
  );
}
