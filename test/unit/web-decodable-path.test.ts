/**
 * The portal's and the admin console's router decode each path segment with `decodeURIComponent`:
 * an address it cannot decode (a hostile share-link token such as `/s/%`) must not fail the app.
 */
import { decodablePath } from '../../web/shared/decodable-path';

describe('decodablePath', () => {
  it.each([
    ['/s/%', '/s/%25'],
    ['/s/%ED%A0%80', '/s/%25ED%25A0%2580'],
    ['/s/%E0%A4%A', '/s/%25E0%25A4%25A'],
    ['/documents/invoice/a%zz%41', '/documents/invoice/a%25zz%2541'],
    ['/s/%C0%AF', '/s/%25C0%25AF'],
  ])('keeps a segment the router cannot decode literally: %s → %s', (path, repaired) => {
    expect(() => decodeURIComponent(path.split('/').at(-1)!)).toThrow(URIError);
    expect(decodablePath(path)).toBe(repaired);
    for (const segment of decodablePath(path).split('/')) expect(() => decodeURIComponent(segment)).not.toThrow();
    expect(decodeURIComponent(decodablePath(path).split('/').at(-1)!)).toBe(decodeURIComponent(encodeURIComponent(path.split('/').at(-1)!)));
  });

  it.each(['/', '/s/Jchjz18VHnkW8faSnfPLQfGiY1xOjC2oKna0534eyUs', '/s/a%2Fb', '/documents/invoice/INV%2F2026', '/s/%C3%A9', '/contacts/x/portal-access', ''])(
    'leaves an address that decodes as it is: %j',
    (path) => {
      expect(decodablePath(path)).toBe(path);
    },
  );
});
