/** De e-mails in het Nederlands (de woorden van de productdocumentatie: portaal, portaaltoegang, uitnodiging). */
import type { Copy } from './copy';

export const nl: Copy = {
  invitation: (f) => ({
    subject: `Uw uitnodiging voor het klantenportaal van ${f.business}`,
    blocks: [
      { paragraph: [`Beste ${f.name},`] },
      {
        paragraph: [
          { strong: f.inviter },
          ' heeft u uitgenodigd voor het klantenportaal van ',
          { strong: f.business },
          '. Daar bekijkt u de documenten die u aangaan: offertes en verkooporders, facturen, projecten, tickets en meer.',
        ],
      },
      ...(f.message ? [{ paragraph: [`${f.inviter} schrijft:`] }, { quote: f.message }] : []),
      { action: { label: 'Uitnodiging accepteren en wachtwoord kiezen', href: f.link } },
      { paragraph: ['Deze link werkt één keer en is geldig tot ', { strong: f.expires }, '.'] },
      { paragraph: ['Wij sturen of vragen nooit wachtwoorden per e-mail. Had u deze uitnodiging niet verwacht? Dan kunt u deze e-mail negeren.'] },
    ],
  }),
  reminder: (f) => ({
    subject: `Herinnering: uw uitnodiging voor het klantenportaal van ${f.business}`,
    blocks: [
      { paragraph: [`Beste ${f.name},`] },
      {
        paragraph: [
          `Op ${f.sentOn ?? 'een eerdere dag'} heeft `,
          { strong: f.inviter },
          ' u uitgenodigd voor het klantenportaal van ',
          { strong: f.business },
          `. U hebt de uitnodiging nog niet geaccepteerd; daarom ontvangt u hierbij een nieuwe link. ${f.handedOver ? 'De link die u eerder kreeg' : 'De link in de eerdere e-mail'} werkt niet meer.`,
        ],
      },
      { action: { label: 'Uitnodiging accepteren en wachtwoord kiezen', href: f.link } },
      { paragraph: ['Deze link werkt één keer en is geldig tot ', { strong: f.expires }, '. Dit is de enige herinnering.'] },
      { paragraph: ['Wij sturen of vragen nooit wachtwoorden per e-mail. Had u deze uitnodiging niet verwacht? Dan kunt u deze e-mail negeren.'] },
    ],
  }),
  staffNotice: (f) => ({
    subject: `Herinnering verstuurd: ${f.contactName} heeft de portaaluitnodiging nog niet geaccepteerd`,
    blocks: [
      { paragraph: [`Beste ${f.staffName},`] },
      {
        paragraph: [
          { strong: f.contactName },
          ` (${f.contactEmail}) heeft de uitnodiging voor het klantenportaal van ${f.business} die u op ${f.sentOn} ${f.handedOver ? 'deelde' : 'verstuurde'} nog niet geaccepteerd.`,
        ],
      },
      {
        paragraph: [
          `Wij hebben ${f.contactName} één herinnering gestuurd met een nieuwe link, geldig tot `,
          { strong: f.expires },
          '. Er volgt geen verdere herinnering: daarna verloopt de uitnodiging, en kunt u het contact opnieuw uitnodigen via de wizard ‘Grant portal access’ (de beheerconsole is in het Engels).',
        ],
      },
    ],
  }),
};
