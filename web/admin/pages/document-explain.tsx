/** A document's "why can a contact see this?": a contact chosen by name, then the API's explanation — seen or not, every reason, every blocker. */
import { useRef, useState } from 'preact/hooks';
import { ContactPicker } from '../contact-picker';
import type { Contact, Document, Explanation } from '../model';
import { useSession } from '../session';
import { Failure, Loading } from './common';

type Answer = { contact: Contact } & ({ state: 'loading' } | { state: 'done'; explanation: Explanation } | { state: 'failed'; error: unknown });

export function Explain({ doc }: { doc: Document }) {
  const { t, calls, refused } = useSession();
  const [answer, setAnswer] = useState<Answer | undefined>(undefined);
  // The contact chosen last: an earlier choice's answer that arrives after it is not shown.
  const latest = useRef<Contact | undefined>(undefined);

  const explain = async (contact: Contact) => {
    latest.current = contact;
    setAnswer({ contact, state: 'loading' });
    try {
      const explanation = await calls.access.explain(contact.id, doc.type, doc.id);
      if (latest.current === contact) setAnswer({ contact, state: 'done', explanation });
    } catch (error) {
      refused(error);
      if (latest.current === contact) setAnswer({ contact, state: 'failed', error });
    }
  };

  return (
    <section aria-labelledby="explain">
      <h2 id="explain">{t.document.explain}</h2>
      <p class="hint">{t.document.explainIntro}</p>
      <div class="stack">
        <label for="explain-contact">{t.document.explainContact}</label>
        <ContactPicker id="explain-contact" hint={t.document.shareWithHint} none={t.document.noContactFound} accept={() => true} choose={(c) => t.document.explainFor(c.name)} onChoose={(c) => void explain(c)} />
      </div>
      {answer?.state === 'loading' && <Loading />}
      {answer?.state === 'failed' && <Failure error={answer.error} />}
      {answer?.state === 'done' && (
        <div role="status" class="explanation">
          <p>
            <strong>{answer.explanation.visible ? t.document.sees(answer.contact.name) : t.document.doesNotSee(answer.contact.name)}</strong>
          </p>
          {answer.explanation.reasons.length > 0 && (
            <>
              <h3>{t.document.because}</h3>
              <ul class="reasons">
                {answer.explanation.reasons.map((reason, i) => (
                  <li key={i}>{t.document.reason(reason)}</li>
                ))}
              </ul>
            </>
          )}
          {answer.explanation.blockers.length > 0 && (
            <>
              <h3>{answer.explanation.visible ? t.document.notOpenedBy : t.document.blockedBy}</h3>
              <ul class="reasons">
                {answer.explanation.blockers.map((blocker, i) => (
                  <li key={i}>{blocker.detail}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  );
}
