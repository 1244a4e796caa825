/** One document, as the portal and a shared link show it: its fields, then whatever else the back office sent (`data`), as text. */
import type { ComponentChildren } from 'preact';
import type { Document } from '../shared/api';
import type { Strings } from './strings';

const MAX_DEPTH = 4;

/** `data` is any JSON the back office published: rendered as nested lists of text, never as markup. */
function Value({ value, depth }: { value: unknown; depth: number }): ComponentChildren {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  if (depth >= MAX_DEPTH) return JSON.stringify(value);
  if (Array.isArray(value))
    return (
      <ul>
        {value.map((item, i) => (
          <li key={i}>
            <Value value={item} depth={depth + 1} />
          </li>
        ))}
      </ul>
    );
  return (
    <dl class="data">
      {Object.entries(value as Record<string, unknown>).map(([key, item]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>
            <Value value={item} depth={depth + 1} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function DocumentView({ doc, t }: { doc: Document; t: Strings }) {
  const rows: [string, string | undefined][] = [
    [t.document.type, t.type[doc.type]],
    [t.document.reference, doc.reference],
    [t.document.date, doc.date ? t.date(doc.date) : undefined],
    [t.document.state, doc.state],
    [t.document.amount, doc.amount === undefined ? undefined : t.amount(doc.amount, doc.currency)],
    [t.document.updated, t.date(doc.updatedAt)],
  ];
  const data = doc.data && Object.keys(doc.data).length > 0 ? doc.data : undefined;
  return (
    <article>
      <h1>{doc.name}</h1>
      <h2 class="visually-hidden">{t.document.details}</h2>
      <dl class="fields">
        {rows
          .filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
          .map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
      {data && (
        <section>
          <h2>{t.document.more}</h2>
          <Value value={data} depth={0} />
        </section>
      )}
    </article>
  );
}
