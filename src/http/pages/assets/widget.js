// Vouch's share widget: <vouch-referral token="wgt_…" locale="de">, for the business's own pages.
// Plain JavaScript with no dependencies, loading nothing but Vouch's own API (from the origin this
// script was loaded from). Everything it shows comes from GET /w/v1/referrer, already in the
// reader's language, so it holds no strings of its own. It renders in a Shadow DOM: the page's
// CSS does not reach in (`all: initial` on the host) and its own does not leak out. Themes are
// CSS custom properties (--vouch-brand and the rest, in the README). Text from the API is only
// ever set as text or attribute values, never parsed as markup.
(() => {
  if (typeof customElements === 'undefined' || customElements.get('vouch-referral')) return;
  // document.currentScript is only set while this file first runs: read it now.
  const script = document.currentScript;
  const VOUCH = script?.src ? new URL(script.src).origin : location.origin;

  // Colours pass WCAG 2.2 AA in both schemes with the defaults; a brand colour is the page's choice.
  const CSS = `
:host{all:initial;display:block;contain:content;
--_brand:var(--vouch-brand,#1f4fd1);--_on-brand:var(--vouch-on-brand,#fff);
--_bg:var(--vouch-bg,#fff);--_fg:var(--vouch-fg,#1b1b1f);--_muted:var(--vouch-muted,#4a4a55);
--_card:var(--vouch-card,#f4f4f7);--_line:var(--vouch-line,#8a8a96);--_radius:var(--vouch-radius,.75rem);
font:1rem/1.5 var(--vouch-font,system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",sans-serif);
color:var(--_fg)}
@media (prefers-color-scheme:dark){:host{
--_brand:var(--vouch-brand-dark,#8fb0ff);--_on-brand:var(--vouch-on-brand-dark,#0b1430);
--_bg:var(--vouch-bg-dark,#111114);--_fg:var(--vouch-fg-dark,#ededf2);--_muted:var(--vouch-muted-dark,#b9b9c6);
--_card:var(--vouch-card-dark,#1d1d23);--_line:var(--vouch-line-dark,#6a6a78)}}
:host([hidden]){display:none}
*{box-sizing:border-box}
.card{background:var(--_bg);color:var(--_fg);border:1px solid var(--_line);border-radius:var(--_radius);padding:1rem 1.25rem;overflow-wrap:anywhere}
h2{font-size:1.15rem;line-height:1.3;margin:0 0 .5rem}
p{margin:0 0 .75rem}
.offer{background:var(--_card);border-radius:calc(var(--_radius) / 1.5);padding:.6rem .8rem}
label{display:block;font-weight:600;margin:0 0 .25rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 .75rem}
input{flex:1 1 12rem;min-width:0;font:inherit;padding:.55rem .7rem;border:1px solid var(--_line);border-radius:.5rem;background:var(--_card);color:var(--_fg)}
button,a.chip{font:inherit;min-height:44px;border-radius:.5rem;cursor:pointer;display:inline-flex;align-items:center;justify-content:center;padding:.5rem 1rem}
button{border:0;background:var(--_brand);color:var(--_on-brand);font-weight:600}
ul{list-style:none;padding:0;margin:0 0 .75rem;display:flex;flex-wrap:wrap;gap:.5rem}
a.chip{border:1px solid var(--_line);border-radius:999px;color:var(--_fg);text-decoration:none;background:var(--_bg)}
a.chip:hover{border-color:var(--_fg)}
button:focus-visible,a:focus-visible,input:focus-visible{outline:3px solid var(--_fg);outline-offset:2px}
.muted{color:var(--_muted);font-size:.9rem}
dl{display:flex;flex-wrap:wrap;gap:.5rem;margin:0}
dl div{background:var(--_card);border-radius:.5rem;padding:.4rem .7rem}
dt{color:var(--_muted);font-size:.85rem}
dd{margin:0;font-weight:600}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

  let shared;
  /** Constructed stylesheets pass a page's CSP where a <style> element might not. */
  function style(root) {
    if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function') {
      try {
        if (!shared) {
          shared = new CSSStyleSheet();
          shared.replaceSync(CSS);
        }
        root.adoptedStyleSheets = [shared];
        return;
      } catch {
        // An older engine: fall back to an element.
      }
    }
    const element = document.createElement('style');
    element.textContent = CSS;
    root.append(element);
  }

  /** An element with attributes and children; strings become text nodes, never markup. */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) {
      if (value !== null && value !== undefined && value !== false) element.setAttribute(name, String(value));
    }
    element.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    return element;
  }

  class VouchReferral extends HTMLElement {
    static observedAttributes = ['token', 'locale'];

    constructor() {
      super();
      this.root = this.attachShadow({ mode: 'open' });
      style(this.root);
      this.loads = 0;
    }

    connectedCallback() {
      this.load();
    }

    attributeChangedCallback() {
      if (this.isConnected) this.load();
    }

    async load() {
      const token = this.getAttribute('token');
      // A later load (a new token) wins over one still under way.
      const load = ++this.loads;
      if (!token) return this.show(null);
      const locale = this.getAttribute('locale');
      const query = locale ? `?${new URLSearchParams({ locale })}` : '';
      try {
        const res = await fetch(`${VOUCH}/w/v1/referrer${query}`, {
          headers: { authorization: `Bearer ${token}` },
          credentials: 'omit',
        });
        const body = await res.json();
        if (!res.ok) throw new Error(body?.error?.code ?? `HTTP ${res.status}`);
        if (load === this.loads) this.show(this.render(body, token));
      } catch (error) {
        if (load !== this.loads) return;
        // Refused (an origin not allowed reads nothing at all), expired or offline: show nothing.
        this.show(null);
        this.emit('vouch-error', { code: error instanceof Error ? error.message : 'failed' });
      }
    }

    show(content) {
      for (const node of [...this.root.childNodes]) if (node.nodeName !== 'STYLE') node.remove();
      if (content) this.root.append(content);
    }

    emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }

    /** One use of a share button, for the program's funnel; a failure costs the person nothing. */
    record(token, channel) {
      fetch(`${VOUCH}/w/v1/shares`, {
        method: 'POST',
        keepalive: true,
        credentials: 'omit',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel }),
      }).catch(() => {});
      this.emit('vouch-share', { channel });
    }

    render(view, token) {
      const { text } = view;
      const status = h('p', { class: 'sr', role: 'status' });
      const input = h('input', { id: 'link', type: 'url', readonly: '', value: view.link });
      const copy = h('button', { type: 'button' }, text.copy);
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(view.link);
        } catch {
          input.select();
          document.execCommand?.('copy');
        }
        copy.textContent = text.copied;
        status.textContent = text.copied;
        this.record(token, 'copy');
      });
      const channels = view.channels.map((c) => {
        const link = h(
          'a',
          { class: 'chip', href: c.url, target: '_blank', rel: 'noopener noreferrer' },
          c.label,
        );
        link.addEventListener('click', () => this.record(token, c.channel));
        return h('li', null, link);
      });
      if (typeof navigator.share === 'function') {
        const share = h('button', { type: 'button' }, text.web_share);
        share.addEventListener('click', async () => {
          try {
            await navigator.share({ text: view.message, url: view.link });
            this.record(token, 'web_share');
          } catch {
            // The person closed the share sheet: nothing was shared.
          }
        });
        channels.unshift(h('li', null, share));
      }
      const balances = view.balances.map((b) =>
        h(
          'dl',
          null,
          h('div', null, h('dt', null, text.available), h('dd', null, b.available.text)),
          h('div', null, h('dt', null, text.pending), h('dd', null, b.pending.text)),
          h('div', null, h('dt', null, text.paid), h('dd', null, b.paid.text)),
        ),
      );
      return h(
        'section',
        { class: 'card', lang: view.locale, dir: view.dir, 'aria-label': text.label, part: 'card' },
        h('h2', null, text.heading),
        view.offer ? h('p', { class: 'offer' }, view.offer) : null,
        h('label', { for: 'link' }, text.link_label),
        h('div', { class: 'row' }, input, copy),
        h('p', { class: 'muted' }, text.code),
        h('ul', null, channels),
        h('p', { class: 'muted' }, `${text.friends_joined} · ${text.friends_qualified}`),
        balances,
        status,
      );
    }
  }

  customElements.define('vouch-referral', VouchReferral);
})();
