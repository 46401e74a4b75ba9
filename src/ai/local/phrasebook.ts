import { primaryLanguage } from '../text.ts';

/**
 * The local provider's stock phrases, per language and register. Languages it has no phrases for
 * use English; the register comes from the brand's tone of voice (see `registerFor`).
 */
export type Register = 'warm' | 'formal' | 'bold' | 'neutral';

export interface Phrasebook {
  opening: Record<Register, (brand: string) => string>;
  closing: Record<Register, (brand: string) => string>;
  callToAction: Record<Register, (brand: string) => string>;
  /** Titles built from a keyword (`topic`) and the text's first sentence (`lead`). */
  titles: ReadonlyArray<(topic: string, other: string) => string>;
  /** Alt text for an image nothing is known about. */
  unknownImage: string;
  /** Fallback topic when a text yields no keyword. */
  thisTopic: string;
}

const en: Phrasebook = {
  opening: {
    warm: (brand) => `Here's something we at ${brand} are excited to share.`,
    formal: (brand) => `${brand} is pleased to present the following.`,
    bold: (brand) => `${brand} has news you will want to hear.`,
    neutral: (brand) => `An update from ${brand}.`,
  },
  closing: {
    warm: (brand) => `We'd love to hear what you think. — The ${brand} team`,
    formal: (brand) => `For further information, please contact ${brand}.`,
    bold: (brand) => `This is ${brand}. Don't miss it.`,
    neutral: (brand) => `Find out more from ${brand}.`,
  },
  callToAction: {
    warm: (brand) => `Come and say hello to ${brand}`,
    formal: (brand) => `Learn more about ${brand}`,
    bold: (brand) => `Get ${brand} now`,
    neutral: (brand) => `Discover ${brand}`,
  },
  titles: [
    (topic) => `${topic}: what you need to know`,
    (topic) => `Why ${topic} matters`,
    (topic, other) => `${topic} and ${other}, explained`,
    (topic) => `A closer look at ${topic}`,
    (topic) => `The essentials of ${topic}`,
    (topic) => `Getting started with ${topic}`,
    (topic) => `${topic}: a practical guide`,
    (topic, other) => `What ${topic} means for ${other}`,
  ],
  unknownImage: 'Image',
  thisTopic: 'this topic',
};

const de: Phrasebook = {
  opening: {
    warm: (brand) => `Darauf freuen wir uns bei ${brand} ganz besonders.`,
    formal: (brand) => `${brand} freut sich, Ihnen Folgendes vorzustellen.`,
    bold: (brand) => `${brand} hat Neuigkeiten, die Sie hören wollen.`,
    neutral: (brand) => `Neues von ${brand}.`,
  },
  closing: {
    warm: (brand) => `Wir freuen uns auf Ihre Meinung. – Ihr ${brand}-Team`,
    formal: (brand) => `Weitere Informationen erhalten Sie bei ${brand}.`,
    bold: (brand) => `Das ist ${brand}. Nicht verpassen.`,
    neutral: (brand) => `Mehr erfahren bei ${brand}.`,
  },
  callToAction: {
    warm: (brand) => `Schauen Sie bei ${brand} vorbei`,
    formal: (brand) => `Mehr über ${brand} erfahren`,
    bold: (brand) => `Jetzt ${brand} holen`,
    neutral: (brand) => `${brand} entdecken`,
  },
  titles: [
    (topic) => `${topic}: Das müssen Sie wissen`,
    (topic) => `Warum ${topic} wichtig ist`,
    (topic, other) => `${topic} und ${other} erklärt`,
    (topic) => `${topic} im Detail`,
    (topic) => `Das Wichtigste zu ${topic}`,
    (topic) => `Erste Schritte mit ${topic}`,
    (topic) => `${topic}: ein praktischer Leitfaden`,
    (topic, other) => `Was ${topic} für ${other} bedeutet`,
  ],
  unknownImage: 'Bild',
  thisTopic: 'dieses Thema',
};

const fr: Phrasebook = {
  opening: {
    warm: (brand) => `Chez ${brand}, nous avons hâte de vous le partager.`,
    formal: (brand) => `${brand} a le plaisir de vous présenter ce qui suit.`,
    bold: (brand) => `${brand} a une nouvelle à ne pas manquer.`,
    neutral: (brand) => `Des nouvelles de ${brand}.`,
  },
  closing: {
    warm: (brand) => `Dites-nous ce que vous en pensez. — L'équipe ${brand}`,
    formal: (brand) => `Pour plus d'informations, contactez ${brand}.`,
    bold: (brand) => `C'est ${brand}. À ne pas manquer.`,
    neutral: (brand) => `En savoir plus avec ${brand}.`,
  },
  callToAction: {
    warm: (brand) => `Venez découvrir ${brand}`,
    formal: (brand) => `En savoir plus sur ${brand}`,
    bold: (brand) => `Obtenez ${brand} maintenant`,
    neutral: (brand) => `Découvrir ${brand}`,
  },
  titles: [
    (topic) => `${topic} : ce qu'il faut savoir`,
    (topic) => `Pourquoi ${topic} compte`,
    (topic, other) => `${topic} et ${other} expliqués`,
    (topic) => `Zoom sur ${topic}`,
    (topic) => `L'essentiel sur ${topic}`,
    (topic) => `Bien débuter avec ${topic}`,
    (topic) => `${topic} : le guide pratique`,
    (topic, other) => `Ce que ${topic} change pour ${other}`,
  ],
  unknownImage: 'Image',
  thisTopic: 'ce sujet',
};

const es: Phrasebook = {
  opening: {
    warm: (brand) => `En ${brand} tenemos muchas ganas de contártelo.`,
    formal: (brand) => `${brand} tiene el placer de presentar lo siguiente.`,
    bold: (brand) => `${brand} tiene una noticia que no te puedes perder.`,
    neutral: (brand) => `Novedades de ${brand}.`,
  },
  closing: {
    warm: (brand) => `Nos encantaría saber tu opinión. — El equipo de ${brand}`,
    formal: (brand) => `Para más información, póngase en contacto con ${brand}.`,
    bold: (brand) => `Esto es ${brand}. No te lo pierdas.`,
    neutral: (brand) => `Descubre más con ${brand}.`,
  },
  callToAction: {
    warm: (brand) => `Ven a conocer ${brand}`,
    formal: (brand) => `Más información sobre ${brand}`,
    bold: (brand) => `Consigue ${brand} ya`,
    neutral: (brand) => `Descubre ${brand}`,
  },
  titles: [
    (topic) => `${topic}: lo que necesitas saber`,
    (topic) => `Por qué importa ${topic}`,
    (topic, other) => `${topic} y ${other}, explicados`,
    (topic) => `Una mirada a ${topic}`,
    (topic) => `Lo esencial sobre ${topic}`,
    (topic) => `Primeros pasos con ${topic}`,
    (topic) => `${topic}: guía práctica`,
    (topic, other) => `Qué significa ${topic} para ${other}`,
  ],
  unknownImage: 'Imagen',
  thisTopic: 'este tema',
};

const BOOKS: Record<string, Phrasebook> = { en, de, fr, es };

export function phrasebookFor(language: string): Phrasebook {
  return BOOKS[primaryLanguage(language)] ?? en;
}

/** Tone words (English, German, French, Spanish) that choose a register; the first match wins. */
const REGISTERS: ReadonlyArray<[Register, RegExp]> = [
  [
    'formal',
    /formal|professional|authoritative|expert|serious|corporate|seri[öo]s|sachlich|professionnel|profesional/i,
  ],
  ['bold', /bold|energetic|confident|punchy|daring|dynamic|mutig|selbstbewusst|audacieux|atrevido|enérgico/i],
  [
    'warm',
    /warm|friendly|playful|casual|fun|caring|approachable|freundlich|herzlich|chaleureux|amical|cercano|amable/i,
  ],
];

export function registerFor(toneOfVoice: string): Register {
  return REGISTERS.find(([, pattern]) => pattern.test(toneOfVoice))?.[0] ?? 'neutral';
}
