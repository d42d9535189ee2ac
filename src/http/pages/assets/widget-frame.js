// The share widget's iframe page: shows the copy and Web Share buttons, records each use as a
// widget share with the page's token, and tells the framing page its height. The height goes
// only to the program's embed origins (postMessage's targetOrigin), so no other page learns it.
(() => {
  const root = document.getElementById('vouch-widget');
  if (!root) return;
  const token = root.dataset.token ?? '';
  const parents = JSON.parse(root.dataset.parentOrigins ?? '[]');
  const record = (channel) =>
    fetch('/w/v1/shares', {
      method: 'POST',
      keepalive: true,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel }),
    }).catch(() => {});

  enhanceShareButtons(record);

  for (const link of root.querySelectorAll('a[data-channel]')) {
    link.addEventListener('click', () => record(link.dataset.channel));
  }

  if (window.parent === window) return;
  let last = 0;
  const tell = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    // A targetOrigin that is not the parent's drops the message: only the real parent gets it.
    for (const origin of parents) window.parent.postMessage({ type: 'vouch:height', height }, origin);
  };
  new ResizeObserver(tell).observe(document.documentElement);
  tell();
})();
