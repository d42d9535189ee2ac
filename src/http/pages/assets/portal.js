// The portal's one script, an enhancement: without it the page works as is. It shows the copy
// button and, where the browser has the Web Share API, a share button, and records each use
// as a share, as the share links do on the server.
(() => {
  const form = document.querySelector('form[action="/p/sign-out"]');
  const csrf = form?.querySelector('input[name="csrf"]')?.value ?? '';
  const record = (channel) => navigator.sendBeacon('/p/shares', new URLSearchParams({ channel, csrf }));

  const copy = document.getElementById('copy-link');
  const input = document.getElementById('referral-link');
  if (copy && input && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener('click', async () => {
      await navigator.clipboard.writeText(input.value);
      copy.textContent = copy.dataset.copied;
      record('copy');
    });
  }

  const share = document.getElementById('web-share');
  if (share && input && typeof navigator.share === 'function') {
    share.hidden = false;
    share.addEventListener('click', async () => {
      try {
        await navigator.share({ text: share.dataset.message, url: input.value });
        record('web_share');
      } catch {
        // The person closed the share sheet: nothing was shared.
      }
    });
  }
})();
