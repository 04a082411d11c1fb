// Timing probes the benchmarks share.

/**
 * Resolves with the wall-clock time (ms since the epoch, this machine's clock) at which a task
 * row titled `title` appears in `page`, seen by a MutationObserver.
 */
export function taskRowAppears(page, title) {
  return page.evaluate(title => new Promise(resolve => {
    const selector = `input[aria-label="Done: ${title}"]`;
    const observer = new MutationObserver(() => {
      if (document.querySelector(selector)) {
        observer.disconnect();
        resolve(performance.timeOrigin + performance.now());
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }), title);
}
