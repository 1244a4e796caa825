/**
 * The key material of the single table that a user's results depend on: names sort and match by
 * prefix case-, accent- and space-insensitively within a bounded key, and a listing can page past
 * an undated document (its order key is a valid cursor position).
 */
import { orderCursor } from '../../lambdas/adapters/dynamodb/documents-store';
import { dateKey, keyParts, keys, nameKey } from '../../lambdas/contract/keys';

describe('a name as key material', () => {
  it('is the same key however it is cased, accented or padded', () => {
    expect(nameKey('  Émile Zöla ')).toBe('emile zola');
    expect(nameKey('EMILE ZOLA')).toBe(nameKey('émile zola'));
  });

  it('leaves out what is drawn as nothing (a zero-width space, a soft hyphen, a joiner): a name pasted with one keys as the name it shows', () => {
    expect(nameKey('\u200bZwspco Ltd')).toBe('zwspco ltd');
    expect(nameKey('Soft\u00adhyphen')).toBe(nameKey('Softhyphen'));
    expect(nameKey('\ufeffBom\u2060 Co\u200d')).toBe('bom co');
    expect(nameKey('می\u200cخواهم')).toBe(nameKey('میخواهم'));
  });

  it('is bounded: a very long name keys as its first 100 characters, so its item stays within the key size', () => {
    const long = `${'Ab'.repeat(150)}`;
    expect(nameKey(long)).toBe('ab'.repeat(50));
    expect(keys.contactByName(long, 'c1').gsi2sk).toBe(`${'ab'.repeat(50)}#c1`);
  });

  it('is cut between characters: an emoji across the bound goes whole, never half a surrogate pair', () => {
    const name = `${'a'.repeat(99)}😀 and more`;
    expect(nameKey(name)).toBe('a'.repeat(99));
    // A search for the name's start still finds it: the prefix is cut the same way.
    expect(nameKey(name).startsWith(nameKey(`${'a'.repeat(99)}😀`))).toBe(true);
    expect(nameKey(`${'a'.repeat(98)}😀x`)).toBe(`${'a'.repeat(98)}😀`);
  });
});

describe('a document date as order key', () => {
  it('a day and an instant of that day order by time, newest last', () => {
    expect([dateKey('2026-11-01T08:00:00+01:00'), dateKey('2026-11-01'), dateKey(undefined)].sort()).toEqual([
      dateKey(undefined),
      '2026-11-01T00:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('a date that its offset takes past year 9999 or before year 0 in UTC still sorts among the dated ones, beyond each end', () => {
    // As ISO, such an instant has a six-digit signed year (`+010000-…`, `-000001-…`), which sorted below every four-digit year and below undated documents.
    const latest = dateKey('9999-12-31T23:00:00-02:00');
    const earliest = dateKey('0000-01-01T00:30:00+01:00');
    const edges = ['9999-12-31T23:59:59.999Z', '9999-12-31', '2026-11-01', '0000-01-01', '0000-01-01T00:00:00.000Z'].map(dateKey);
    expect([...edges, dateKey(undefined), latest, earliest].sort()).toEqual([dateKey(undefined), earliest, ...[...edges].sort(), latest]);
    expect(new Set([...edges, dateKey(undefined), latest, earliest]).size).toBe(7);
    const order = keys.documentOrder('invoice', 'INV-1', '9999-12-31T23:00:00-02:00');
    expect(orderCursor.decode(orderCursor.encode('CUSTOMER#c1', order), 'CUSTOMER#c1')).toBe(order);
    expect(orderCursor.decode(orderCursor.encode('CUSTOMER#c1', keys.documentOrder('invoice', 'INV-1', '0000-01-01T00:30:00+01:00')), 'CUSTOMER#c1')).toBe(
      keys.documentOrder('invoice', 'INV-1', '0000-01-01T00:30:00+01:00'),
    );
  });

  it('an undated document sorts before every dated one, and a page ending on it can be continued', () => {
    const undated = keys.documentOrder('invoice', 'INV-1', undefined);
    expect(undated < keys.documentOrder('invoice', 'INV-0', '0001-01-01')).toBe(true);
    const cursor = orderCursor.encode('CUSTOMER#c1', undated);
    expect(orderCursor.decode(cursor, 'CUSTOMER#c1')).toBe(undated);
  });
});

describe('keys read back (the due index projects keys only)', () => {
  test('a contact, a document, a grantee and a due instant come back out of the keys that hold them; other keys are none of them', () => {
    expect(keyParts.contactId(keys.contact('c-1#x').pk)).toBe('c-1#x');
    expect(keyParts.contactId(keys.document('invoice', 'INV-1').pk)).toBeUndefined();
    expect(keyParts.document(keys.document('sale_order', 'SO#1/2').pk)).toEqual({ type: 'sale_order', id: 'SO#1/2' });
    expect(keyParts.document(keys.contact('c1').pk)).toBeUndefined();
    expect(keyParts.grantee(keys.grant('invoice', 'INV-1', 'c-9').sk)).toBe('c-9');
    expect(keyParts.grantee('DOC')).toBeUndefined();
    const at = '2026-03-01T10:00:00.000Z';
    expect(keyParts.dueAt(keys.due('invitation-expiry', at, 'c1').duesk)).toBe(at);
  });
});
