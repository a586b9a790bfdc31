/* Exit this page (therapy_workshop.shell.exit_page), after GOV.UK's component: put inline right after the button,
   so it works from the first paint, before Voilà's scripts. Without it the button and the hidden link are still
   plain links to the destination.
   Leaving: the page is hidden at once under a plain "Loading" overlay (a slow connection must not keep it on
   screen), what the workshop kept in this browser is forgotten unless the learner chose to keep their place, and
   the destination replaces this page in the tab's history, so Back does not return to the workshop.
   Shift three times within 5 seconds leaves too (not Escape: it stops a page loading, and browsers and systems
   use it). As GOV.UK, it counts wherever focus is, text fields included; a Shift press does not count when another
   key was pressed while it was held (a capital letter, Shift+Tab), and any other key released in between starts
   the count again. Screen readers hear the count through the status region. */
(() => {
  const bar = document.getElementById('tw-exit');
  if (!bar) return;
  const button = bar.querySelector('.tw-exit-button');
  const status = bar.querySelector('.tw-exit-status');
  const lights = bar.querySelectorAll('.tw-exit-light');
  const words = bar.dataset;
  const PREFIX = 'your-rights-in-therapy/';
  // Written by the learner's choice of what this device keeps: 'place' keeps everything; anything else, nothing.
  const KEEP = `${PREFIX}keep`;
  const WINDOW_MS = 5000;
  let leaving = false;
  let overlay = null;
  let presses = 0;
  let shiftWasModifier = false;
  let sequenceTimer = 0;
  let silenceTimer = 0;

  const keepsPlace = () => {
    try {
      return window.localStorage.getItem(KEEP) === 'place';
    } catch (error) {
      return false;
    }
  };
  const forget = () => {
    if (keepsPlace()) return;
    for (const name of ['sessionStorage', 'localStorage']) {
      try {
        const store = window[name];
        const keys = [];
        for (let index = 0; index < store.length; index += 1) keys.push(store.key(index));
        for (const key of keys) if (key && key.startsWith(PREFIX)) store.removeItem(key);
      } catch (error) {}  // storage switched off: nothing was kept
    }
  };
  const showLights = () => {
    bar.classList.toggle('tw-exit-counting', presses > 0);
    lights.forEach((light, index) => light.classList.toggle('tw-exit-light-on', index < presses));
  };
  const leave = () => {
    if (leaving) return;
    leaving = true;
    window.clearTimeout(sequenceTimer);
    window.clearTimeout(silenceTimer);
    status.textContent = '';
    forget();
    // Hidden from everyone at once: the body's content goes, for screen readers and Tab too, not just the eye.
    document.body.classList.add('tw-exit-hide');
    overlay = document.createElement('div');
    overlay.className = 'tw-exit-overlay';
    overlay.setAttribute('role', 'alert');
    document.body.append(overlay);
    overlay.textContent = words.loading;  // after it is in the page: screen readers announce it more reliably
    // Anything the page writes while the destination loads is forgotten as the page goes.
    window.addEventListener('pagehide', forget);
    window.location.replace(button.href);
  };
  for (const link of document.querySelectorAll('[data-tw-exit]')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      leave();
    });
  }
  // The button is announced as a button, so Space presses it as it would a button.
  button.addEventListener('keydown', (event) => {
    if (event.key === ' ') {
      event.preventDefault();
      leave();
    }
  });

  const say = (text) => {
    window.clearTimeout(silenceTimer);
    status.textContent = text;
  };
  const startAgain = () => {
    window.clearTimeout(sequenceTimer);
    sequenceTimer = 0;
    presses = 0;
    showLights();
    say(words.reset);
    silenceTimer = window.setTimeout(() => { status.textContent = ''; }, WINDOW_MS);
  };
  // Shift used as a modifier: another key went down, or came up, while it was held.
  const noteModifier = (event) => {
    if (event.key !== 'Shift' && event.shiftKey) shiftWasModifier = true;
  };
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Shift' && !event.repeat) shiftWasModifier = false;  // a fresh press
    noteModifier(event);
  }, true);
  document.addEventListener('keyup', (event) => {
    if (leaving) return;
    if (event.key !== 'Shift') {
      noteModifier(event);
      if (sequenceTimer) startAgain();
      return;
    }
    const counts = !shiftWasModifier;
    shiftWasModifier = false;
    if (!counts) return;
    presses += 1;
    if (presses === 1) sequenceTimer = window.setTimeout(startAgain, WINDOW_MS);
    if (presses >= 3) {
      presses = 0;
      showLights();
      leave();
      return;
    }
    showLights();
    say(presses === 1 ? words.twoMore : words.oneMore);
  }, true);

  // Where a browser brings the page back from its cache after all (Back from somewhere it was not replaced), the
  // page must not come back blank.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    leaving = false;
    document.body.classList.remove('tw-exit-hide');
    overlay?.remove();
    overlay = null;
    window.removeEventListener('pagehide', forget);
    presses = 0;
    showLights();
    status.textContent = '';
  });

  // Anything else fixed at the top of the page starts under the bar (see exit-this-page.css).
  const measure = () => document.documentElement.style.setProperty('--tw-exit-height', `${bar.offsetHeight}px`);
  measure();
  if (window.ResizeObserver) new ResizeObserver(measure).observe(bar);
})();
