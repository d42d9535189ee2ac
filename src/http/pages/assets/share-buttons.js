// The copy and Web Share buttons that the portal and the widget's frame page share: shown only
// where the browser can do what they do, each use handed to `record` with its channel. This file
// is served joined in front of each page's own script.
// biome-ignore lint/correctness/noUnusedVariables: called by the script it is joined to.
function enhanceShareButtons(record) {
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
}
