/** A 200-line apply end to end: 200 grants, 200 Cognito logins, 200 invitations mailed. */
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { emails } from '../../test/integration/support/stack';
import { applyAll, createContact, inParallel } from '../portal-users';
import { figure, timed } from '../stats';
import type { FigureGroup } from './group';

const APPLY_LINES = 200;
const TARGET_SECONDS = 15;

export const applyFigures: FigureGroup = {
  name: 'apply',
  needs: 'stack',
  async run() {
    const company = await createContact({ kind: 'company', name: 'Bench apply 200' });
    const persons: Contact[] = await inParallel(Array.from({ length: APPLY_LINES }, (_, i) => i), 8, (i) =>
      createContact({ kind: 'person', name: `Apply person ${i}`, email: `apply-${i}-${process.pid}@bench.example.com`, companyId: company.id }),
    );
    const { result: applied, ms } = await timed(() => applyAll(company.id, persons));
    const granted = applied.results.filter((r) => r.outcome === 'granted').length;
    const invited = new Set(persons.map((p) => p.email));
    const mailed = (await emails()).filter((m) => m.destination.to.some((to) => invited.has(to))).length;
    figure('apply 200 lines (grants + invitations)', ms / 1000, 's', 2);
    console.log(`apply 200 lines outcome: HTTP ${applied.status}, ${granted} granted, ${mailed} invitations mailed`);
    const complete = applied.status === 200 && granted === APPLY_LINES && mailed === APPLY_LINES;
    return [
      {
        name: `200-line apply ≤ ${TARGET_SECONDS} s`,
        pass: complete && ms / 1000 <= TARGET_SECONDS,
        detail: `${(ms / 1000).toFixed(2)} s, HTTP ${applied.status}, ${granted}/${APPLY_LINES} granted, ${mailed} mailed`,
      },
    ];
  },
};
