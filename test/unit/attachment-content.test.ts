import { fileNameProblem } from '../../lambdas/contract/attachment-types';
import { createAttachmentBody } from '../../lambdas/contract/schemas/attachments';
import { asciiFallback, contentDisposition, contentProblem, SNIFF_BYTES } from '../../lambdas/domain/attachments/content';

describe('file names', () => {
  test.each([
    ['Invoice 2026-001.pdf', 'application/pdf'],
    ['FACTURE.PDF', 'application/pdf'],
    ['scan.jpeg', 'image/jpeg'],
    ['scan.JPG', 'image/jpeg'],
    ['plan.png', 'image/png'],
    ['notes.txt', 'text/plain'],
    ['export.csv', 'text/csv'],
    ['Facture été №1 (copie).pdf', 'application/pdf'],
    ['請求書.pdf', 'application/pdf'],
    ['..hidden.pdf', 'application/pdf'],
  ] as const)('%s is a fine name for %s', (name, type) => {
    expect(fileNameProblem(name, type)).toBeUndefined();
  });

  test.each([
    ['', 'must be 1–200'],
    ['a'.repeat(197) + '.pdf', 'must be 1–200'],
    [' invoice.pdf', 'white space'],
    ['invoice.pdf ', 'white space'],
    ['dir/invoice.pdf', 'path separator'],
    ['dir\\invoice.pdf', 'path separator'],
    ['in\u0000voice.pdf', 'control'],
    ['in\nvoice.pdf', 'control'],
    ['in\u0085voice.pdf', 'control'],
    ['invoice\u202Efdp.pdf', 'bidirectional'],
    ['invoice\u2067.pdf', 'bidirectional'],
    ['invoice\u200F.pdf', 'bidirectional'],
    ['a\ud800.pdf', 'Unicode'],
    ['..', 'must be a file name'],
    ['invoice', 'must end with .pdf'],
    ['invoice.pdf.exe', 'must end with .pdf'],
    ['invoice.html', 'must end with .pdf'],
  ])('%j is refused (%s)', (name, why) => {
    expect(fileNameProblem(name, 'application/pdf')).toContain(why);
  });

  test('a name is measured in characters, as the schema counts them: 200 emoji-wide is no way past the checks', () => {
    const emoji = '\u{1F600}';
    // 196 emoji and `.pdf`: 200 characters (396 UTF-16 units), a fine name.
    expect(fileNameProblem(emoji.repeat(196) + '.pdf', 'application/pdf')).toBeUndefined();
    expect(fileNameProblem(emoji.repeat(197) + '.pdf', 'application/pdf')).toContain('must be 1–200');
    const issues = (fileName: string) => (createAttachmentBody().safeParse({ fileName, contentType: 'application/pdf', size: 1 }).error?.issues ?? []).map((i) => [i.path.join('.'), i.message]);
    // Over 200 UTF-16 units but at most 200 characters: each rule still applies.
    expect(issues(emoji.repeat(100) + '\u202Efdp.exe')).toEqual([['fileName', 'must not contain control or bidirectional characters']]);
    expect(issues(emoji.repeat(100) + '/../x.pdf')).toEqual([['fileName', 'must not contain a path separator']]);
    expect(issues(emoji.repeat(100) + '\r\n.pdf')).toEqual([['fileName', 'must not contain control or bidirectional characters']]);
    expect(issues(emoji.repeat(101))).toEqual([['fileName', 'must end with .pdf for application/pdf']]);
    expect(issues(emoji.repeat(196) + '.pdf')).toEqual([]);
    expect(issues(emoji.repeat(197) + '.pdf').map(([path]) => path)).toEqual(['fileName']);
  });

  test('the extension must fit the declared type', () => {
    expect(fileNameProblem('photo.png', 'image/jpeg')).toBe('must end with .jpg or .jpeg for image/jpeg');
    expect(fileNameProblem('data.csv', 'text/plain')).toBe('must end with .txt or .text or .log for text/plain');
  });

  test('the body schema reports a bad name at fileName, and unknown types and sizes at their own paths', () => {
    const issues = (body: unknown) => (createAttachmentBody().safeParse(body).error?.issues ?? []).map((i) => i.path.join('.'));
    expect(issues({ fileName: 'a/b.pdf', contentType: 'application/pdf', size: 1 })).toEqual(['fileName']);
    expect(issues({ fileName: 'x'.repeat(201), contentType: 'application/pdf', size: 1 })).toEqual(['fileName']);
    expect(issues({ fileName: 'a.svg', contentType: 'image/svg+xml', size: 1 })).toEqual(['contentType']);
    expect(issues({ fileName: 'a.pdf', contentType: 'application/pdf', size: 25 * 1024 * 1024 + 1 })).toEqual(['size']);
    expect(issues({ fileName: 'a.pdf', contentType: 'application/pdf', size: 1.5 })).toEqual(['size']);
    expect(issues({ fileName: 'a.pdf', contentType: 'application/pdf', size: 25 * 1024 * 1024 })).toEqual([]);
  });
});

describe('content checks (leading bytes)', () => {
  const bytes = (...b: number[]) => new Uint8Array(b);
  const text = (s: string) => new TextEncoder().encode(s);

  test('PDF: must start with %PDF-', () => {
    expect(contentProblem(text('%PDF-1.7\n...'), 'application/pdf')).toBeUndefined();
    expect(contentProblem(text('%PDF'), 'application/pdf')).toMatch(/not a PDF/);
    expect(contentProblem(text(' %PDF-1.7'), 'application/pdf')).toMatch(/not a PDF/);
    expect(contentProblem(text('<html>'), 'application/pdf')).toMatch(/not a PDF/);
    expect(contentProblem(bytes(), 'application/pdf')).toMatch(/not a PDF/);
  });

  test('PNG and JPEG: their signatures, and not each other’s', () => {
    const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0);
    const jpeg = bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10);
    expect(contentProblem(png, 'image/png')).toBeUndefined();
    expect(contentProblem(jpeg, 'image/jpeg')).toBeUndefined();
    expect(contentProblem(jpeg, 'image/png')).toMatch(/not a PNG/);
    expect(contentProblem(png, 'image/jpeg')).toMatch(/not a JPEG/);
    expect(contentProblem(png.subarray(0, 7), 'image/png')).toMatch(/not a PNG/);
  });

  test('text and CSV: UTF-8 without NUL; a multi-byte character cut by the sniffing window is fine', () => {
    expect(contentProblem(text('date,amount\n2026-11-30,12.50\n'), 'text/csv')).toBeUndefined();
    expect(contentProblem(text('héllo wörld'), 'text/plain')).toBeUndefined();
    expect(contentProblem(bytes(0x41, 0x00, 0x42), 'text/plain')).toMatch(/NUL/);
    expect(contentProblem(bytes(0x41, 0xff, 0xfe, 0x42), 'text/csv')).toMatch(/UTF-8/);
    const euro = text('€'); // E2 82 AC
    const window = new Uint8Array(SNIFF_BYTES);
    window.fill(0x61);
    window.set(euro.subarray(0, 2), SNIFF_BYTES - 2);
    expect(contentProblem(window, 'text/plain')).toBeUndefined();
    // Cut in the middle of nothing: a stray continuation byte is not UTF-8.
    expect(contentProblem(bytes(0x61, 0x82, 0x61), 'text/plain')).toMatch(/UTF-8/);
  });
});

describe('Content-Disposition', () => {
  test('ASCII fallback plus the exact name in UTF-8, percent-encoded as RFC 5987 wants', () => {
    expect(contentDisposition('Facture été 2026 №1 (copie).pdf')).toBe(
      `attachment; filename="Facture ete 2026 No1 (copie).pdf"; filename*=UTF-8''Facture%20%C3%A9t%C3%A9%202026%20%E2%84%961%20%28copie%29.pdf`,
    );
    expect(contentDisposition('a.pdf')).toBe(`attachment; filename="a.pdf"; filename*=UTF-8''a.pdf`);
  });

  test('quotes, backslashes, percent signs and non-Latin names cannot break out of the header', () => {
    const header = contentDisposition('x"; filename="evil.exe\\%41請求書.pdf');
    expect(header).toBe(`attachment; filename="x_; filename=_evil.exe__41___.pdf"; filename*=UTF-8''x%22%3B%20filename%3D%22evil.exe%5C%2541%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf`);
    expect(header).not.toMatch(/[\r\n]/);
    expect(asciiFallback("it's *(fine)*.pdf")).toBe("it's *(fine)*.pdf");
    expect(contentDisposition("it's.pdf")).toContain(`filename*=UTF-8''it%27s.pdf`);
  });

  test('a name that only looks like a path (fullwidth solidus, which NFKD turns into /) has no path separator in its ASCII fallback', () => {
    // `／` (U+FF0F) and `＼` (U+FF3C) pass the file-name rule (no / or \), but NFKD folds them into / and \.
    expect(contentDisposition('a／..／b.pdf')).toBe(`attachment; filename="a_.._b.pdf"; filename*=UTF-8''a%EF%BC%8F..%EF%BC%8Fb.pdf`);
    expect(asciiFallback('＼server＼share／x.pdf')).toBe('_server_share_x.pdf');
  });
});
