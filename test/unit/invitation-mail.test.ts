/**
 * The invitation email as its recipient reads it, word for word and line by line, in both parts,
 * with and without the staff's message; and the link it carries.
 */
import { INVITATION_SUBJECT, invitationLink, invitationMail } from '../../lambdas/domain/portal-access/invitation-mail';

const LINK = 'https://portal.example.com/invitation?token=abc';
const EXPIRES = '2026-03-08T10:00:00.000Z';

describe('the invitation email', () => {
  it('without a message', () => {
    const mail = invitationMail({ to: 'pat@example.com', name: 'Pat', link: LINK, expiresAt: EXPIRES });
    expect(mail.to).toBe('pat@example.com');
    expect(mail.subject).toBe(INVITATION_SUBJECT);
    expect(mail.text).toBe(
      [
        'Hello Pat,',
        '',
        'You have been given access to our customer portal, where you can follow your documents.',
        '',
        'To accept the invitation and choose your password, open this link (valid until Sun, 08 Mar 2026 10:00:00 GMT):',
        LINK,
        '',
        'If you did not expect this invitation, you can ignore this email.',
      ].join('\n'),
    );
    expect(mail.html).toBe(
      [
        '<!doctype html><html><body>',
        '<p>Hello Pat,</p>',
        '<p>You have been given access to our customer portal, where you can follow your documents.</p>',
        `<p><a href="${LINK}">Accept the invitation and choose your password</a> (valid until Sun, 08 Mar 2026 10:00:00 GMT).</p>`,
        '<p>If you did not expect this invitation, you can ignore this email.</p>',
        '</body></html>',
      ].join('\n'),
    );
  });

  it("with the staff's message: its own paragraph, line breaks of any kind kept, escaped in the HTML part", () => {
    const message = '  Welcome, "Pat" & <team>!\r\nIt\'s ready.\rSee you.  ';
    const mail = invitationMail({ to: 'pat@example.com', name: "O'Brien <Pat>", link: `${LINK}&x="1"`, expiresAt: EXPIRES, message });
    expect(mail.text.split('\n').slice(0, 8)).toEqual([
      "Hello O'Brien <Pat>,",
      '',
      'You have been given access to our customer portal, where you can follow your documents.',
      '',
      'Welcome, "Pat" & <team>!',
      "It's ready.",
      'See you.',
      '',
    ]);
    expect(mail.html.split('\n').slice(1, 4)).toEqual([
      '<p>Hello O&#39;Brien &lt;Pat&gt;,</p>',
      '<p>You have been given access to our customer portal, where you can follow your documents.</p>',
      '<p>Welcome, &quot;Pat&quot; &amp; &lt;team&gt;!<br>It&#39;s ready.<br>See you.</p>',
    ]);
    expect(mail.html).toContain(`<a href="${LINK}&amp;x=&quot;1&quot;">`);
  });

  it('a message of only blanks adds nothing', () => {
    const plain = invitationMail({ to: 'a@example.com', name: 'A', link: LINK, expiresAt: EXPIRES });
    expect(invitationMail({ to: 'a@example.com', name: 'A', link: LINK, expiresAt: EXPIRES, message: ' \r\n ' })).toEqual(plain);
  });
});

describe('the invitation link', () => {
  it('is the portal URL without trailing slashes, then the token, encoded', () => {
    expect(invitationLink('https://portal.example.com', 'a-b_c')).toBe('https://portal.example.com/invitation?token=a-b_c');
    expect(invitationLink('https://portal.example.com//', 'a+b/c=')).toBe('https://portal.example.com/invitation?token=a%2Bb%2Fc%3D');
  });
});
