import { invalidField } from '../../errors';
import { arrayField, isJsonObject, type JsonObject } from '../../services/json-record';
import { html, tableHtml, type Cell, type SafeHtml } from '../html';
import { statusLabel, t, type Lang } from '../i18n';
import { attestationLink, signedInKey, type ConsolePage } from '../page';
import { formField } from '../query';
import type { PersonInput } from '../../services/person';
import type { Looker } from '../../services/person-lookups';

/**
 * Looking a person up: the form posts the ID type, number and name (never in a URL); the gateway turns
 * them into the subjectRef and shows that person's timeline of attestations. Each lookup is charged to
 * the signed-in key's person-lookup budget, the same as the API's, and logged without the person.
 */

const PATH = '/console/person';

function personForm(lang: Lang): SafeHtml {
  return html`<form method="post" action="${PATH}" class="person">
    <label>${t(lang, 'idType')} <input name="idType" value="01" required maxlength="2" /></label>
    <label>${t(lang, 'idNumber')} <input name="idNumber" required maxlength="64" autocomplete="off" /></label>
    <label>${t(lang, 'name')} <input name="name" required maxlength="64" autocomplete="off" /></label>
    <button type="submit">${t(lang, 'lookUp')}</button>
  </form>`;
}

/** The form alone (GET). */
export const personFormPage: ConsolePage<null, null> = {
  path: PATH,
  query: () => null,
  load: () => null,
  view: (lang) => ({ title: t(lang, 'person'), body: personForm(lang) }),
};

/** A string field of a timeline entry, or ''. */
function field(record: JsonObject, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}

interface TimelineData {
  readonly subjectRef: string;
  readonly rows: readonly (readonly Cell[])[];
}

interface PersonQuery {
  readonly person: PersonInput;
  readonly looker: Looker;
}

export const personPage: ConsolePage<PersonQuery, TimelineData> = {
  method: 'post',
  path: PATH,
  query: (req) => {
    const input = (name: string): string => {
      const value = formField(req, name);
      if (value === undefined) throw invalidField(`person.${name}`, 'is required');
      return value;
    };
    return {
      person: { idType: input('idType'), idNumber: input('idNumber'), name: input('name') },
      looker: { keyId: signedInKey(req), log: req.log },
    };
  },
  load: async ({ lookups }, { person, looker }) => {
    const { subjectRef, timeline } = await lookups.timeline(looker, person);
    const rows = arrayField(timeline, 'attestations')
      .filter(isJsonObject)
      .map((e) => [
        attestationLink(field(e, 'attestationId')),
        field(e, 'kind'),
        statusLabel(field(e, 'status')),
        field(e, 'at'),
      ]);
    return { subjectRef, rows };
  },
  view: (lang, { subjectRef, rows }) => ({
    title: t(lang, 'timeline'),
    body: html`${personForm(lang)}
      <p>${t(lang, 'subjectRef')}: <code>${subjectRef}</code></p>
      ${tableHtml({ columns: [t(lang, 'id'), t(lang, 'kind'), t(lang, 'status'), t(lang, 'time')], rows }, 'timeline')}`,
  }),
};
