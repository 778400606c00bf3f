"""The page's CSS and small scripts; plain strings, no gradio.

Colours are chosen for contrast (WCAG AA on the light and dark themes), sizes in em so
the page reflows at 200% zoom, and long words wrap so a 390px-wide phone never scrolls
sideways.
"""

CSS = """
.qc-answer, .qc-question { overflow-wrap: anywhere; }
.qc-answer p { margin-top: 0; }
.qc-lead, .qc-notice { margin: 0 0 .4em; }
.qc-answer blockquote { margin: .4em 0 .3em; padding: .3em .8em;
  border-left: 4px solid #1d4ed8; background: var(--background-fill-secondary); }
.dark .qc-answer blockquote { border-left-color: #93c5fd; }
.qc-quote + .qc-quote { margin-top: .9em; }
.qc-details { margin: 0 0 .3em; }
.qc-chip { display: inline-block; max-width: 100%; box-sizing: border-box; margin: 0;
  padding: .2em .7em .2em .25em; border: 1px solid var(--border-color-primary);
  border-radius: .9em; background: var(--background-fill-secondary); font-size: .9em;
  font-weight: 600; line-height: 1.5; }
summary.qc-chip { cursor: pointer; list-style: none; }
summary.qc-chip::-webkit-details-marker { display: none; }
summary.qc-chip:hover { border-color: #1d4ed8; }
summary.qc-chip:focus-visible, #qc-chat .option:focus-visible, #qc-chat .example:focus-visible {
  outline: 3px solid #2563eb; outline-offset: 2px; }
.qc-num { display: inline-block; min-width: 1.5em; margin-right: .15em; border-radius: .75em;
  background: #1e3a8a; color: #fff; font-size: .85em; line-height: 1.5em;
  text-align: center; }
.qc-hint { margin-left: .6em; font-weight: normal; color: #1d4ed8;
  text-decoration: underline; white-space: nowrap; }
.dark .qc-hint { color: #93c5fd; }
.qc-hint::after { content: " \\25B8"; text-decoration: none; display: inline-block;
  margin-left: .2em; }
details[open] > summary .qc-hint::after { content: " \\25BE"; }
.qc-passage { margin: .4em 0 .2em; padding: .5em .8em; border: 1px solid
  var(--border-color-primary); border-radius: 4px; background: var(--background-fill-primary); }
.qc-passage mark { background: #fde68a; color: #1f2937; padding: 0 .1em;
  box-shadow: 0 0 0 1px #d97706; }
.qc-also { margin: .2em 0 0; font-size: .85em; }
.qc-open { display: inline-block; margin: .2em 0 0 .6em; font-size: .85em; color: #1d4ed8; }
.dark .qc-open { color: #93c5fd; }
.qc-suggest-lead { margin: .4em 0 .2em; }
.qc-emergency { margin: 0 0 .7em; padding: .7em 1em; border: 2px solid #b91c1c;
  border-left-width: 8px; border-radius: 6px; background: #fee2e2; color: #7f1d1d; }
.qc-emergency .qc-icon { font-size: 1.3em; }
.dark .qc-emergency { background: #450a0a; color: #fecaca; border-color: #f87171; }
.qc-disclaimer { margin-top: .7em; padding-top: .4em; font-size: .9em;
  border-top: 1px solid var(--border-color-primary); color: var(--body-text-color); }
.qc-disclaimer small { font-size: 1em; }
.qc-footer { text-align: center; font-size: .9em; color: var(--body-text-color); }
.qc-status { margin: .3em 0; padding: .4em .7em; border-radius: 4px; }
.qc-ok { background: #dcfce7; color: #14532d; }
.qc-error { background: #fee2e2; color: #7f1d1d; }
.qc-docs-wrap { max-width: 100%; overflow-x: auto; }
.qc-docs { border-collapse: collapse; width: 100%; font-size: .9em; }
.qc-docs caption { text-align: left; font-weight: 600; padding: .2em 0; }
.qc-docs th, .qc-docs td { text-align: left; padding: .3em .5em; vertical-align: top;
  border-bottom: 1px solid var(--border-color-primary); overflow-wrap: normal; }
.qc-docs td:nth-child(-n+2) { overflow-wrap: anywhere; }  /* long titles and file names */
.qc-docs tr:not(.qc-doc-indexed) td:last-child { font-weight: 600; color: #92400e; }
.dark .qc-docs tr:not(.qc-doc-indexed) td:last-child { color: #fcd34d; }
#qc-chat .placeholder-content { align-items: stretch; }
/* The accent (dark blue) is too dark on the dark theme's background. */
.dark #qc-tabs button[role="tab"][aria-selected="true"] { color: #93c5fd; }
/* Feedback thumbs in the text colour: gradio's label grey is faint. */
#qc-chat .message-buttons button { color: var(--body-text-color) !important; }
/* Keep the chat's own trash button from covering the newest question. */
#qc-chat .message-row.user-row { margin-right: 2.4em !important; }
@media (max-width: 640px) {
  /* Phones and 200% zoom: every pixel of width goes to the text. */
  #qc-chat .message-row.bot-row { margin-left: 0 !important; margin-right: 0 !important;
    max-width: 100% !important; }
  #qc-controls { flex-wrap: wrap; }
  #qc-controls > * { min-width: 40% !important; }
  #qc-controls > :first-child { flex-basis: 100% !important; min-width: 100% !important; }
  .qc-emergency { padding: .5em .7em; border-left-width: 6px; }
  .qc-answer blockquote { padding: .3em .6em; }
}
"""

# Gradio scopes CSS to its app container; the page padding sits outside it, so it is set
# in the page head instead.
HEAD = """<style>
@media (max-width: 640px) {
  .gradio-container .main.app { padding-left: 8px !important; padding-right: 8px !important; }
}
</style>"""

# After an answer, scroll the chat so the question and the start of the answer are in view:
# an emergency notice comes first in the answer and must not be scrolled away, as gradio's
# autoscroll-to-bottom would do on a small screen.
SCROLL_TO_QUESTION = """() => setTimeout(() => {
  const asked = [...document.querySelectorAll('#qc-chat [data-testid="user"]')].pop();
  let box = asked && asked.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight
                  && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
    box = box.parentElement;
  }
  if (box) box.scrollTop += asked.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
}, 50)"""
