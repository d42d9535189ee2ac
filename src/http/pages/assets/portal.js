// The portal's one script, an enhancement: without it the page works as is. It shows the copy
// button and, where the browser has the Web Share API, a share button, and records each use
// as a share, as the share links do on the server.
(() => {
  const form = document.querySelector('form[action="/p/sign-out"]');
  const csrf = form?.querySelector('input[name="csrf"]')?.value ?? '';
  const record = (channel) => navigator.sendBeacon('/p/shares', new URLSearchParams({ channel, csrf }));

  enhanceShareButtons(record);
})();
