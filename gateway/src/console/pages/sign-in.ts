import { html, type SafeHtml } from '../html';
import { t, type Lang } from '../i18n';

/** The sign-in form (the session mechanics are in `routes.ts`); `refused` after a wrong key. */
export function signInView(lang: Lang, refused: boolean): SafeHtml {
  return html`${refused && html`<p class="error" role="alert">${t(lang, 'keyRefused')}</p>`}
    <form method="post" action="/console/sign-in" class="sign-in">
      <label
        >${t(lang, 'apiKey')}
        <input name="apiKey" type="password" autocomplete="off" required maxlength="256"
      /></label>
      <button type="submit">${t(lang, 'signIn')}</button>
    </form>`;
}
