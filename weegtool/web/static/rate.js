// Saves each change on the rating form at once and shows the rater's own scores so far.
// Without this script the form still works: its buttons post the domain's items.
"use strict";
(function () {
  const form = document.getElementById("rating-form");
  if (!form) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("save-status");
  const show = (text) => { if (status) status.textContent = text; };
  // The page's words come from the catalogues (base.html puts them on <body data-js-...>), and
  // numbers are formatted for the page's language by the browser's CLDR data, as Babel does.
  const words = document.body.dataset;
  const number = new Intl.NumberFormat(document.documentElement.lang || "nl",
    {minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false});
  const format = (value) => (value === null || value === undefined || Number.isNaN(value))
    ? "–" : number.format(value);

  function rating(fieldset) {
    const item = fieldset.dataset.item;
    const chosen = fieldset.querySelector('input[type="radio"]:checked');
    if (!chosen) return null;
    return {
      item: item,
      value: chosen.value === "unknown" ? null : Number(chosen.value),
      note: fieldset.querySelector("#note-" + item).value,
      critical: fieldset.querySelector("#critical-" + item).value,
    };
  }

  function showScores(scores) {
    if (!scores) return;
    for (const [domain, value] of Object.entries(scores.domains)) {
      const cell = document.getElementById("score-" + domain);
      if (cell) cell.textContent = format(value);
    }
    document.getElementById("score-total").textContent = format(scores.total);
    document.getElementById("score-rated").textContent =
      words.jsOf.replace("{rated}", scores.rated).replace("{items}", scores.items);
  }

  let pending = Promise.resolve();
  function save(fieldset) {
    const row = rating(fieldset);
    if (!row) return;
    // One save at a time, in order, so a later choice is never overwritten by an earlier one.
    pending = pending.then(async () => {
      show(words.jsSaving);
      try {
        const response = await fetch(form.dataset.api, {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
          body: JSON.stringify({ratings: [row]}),
        });
        const body = await response.json();
        if (!response.ok) { show(words.jsNotSaved + " " + (body.error || response.status)); return; }
        showScores(body.scores);
        show(words.jsSaved);
      } catch (error) {
        show(words.jsOffline);
      }
    });
  }

  form.addEventListener("change", (event) => {
    const fieldset = event.target.closest("fieldset.item");
    if (fieldset) save(fieldset);
  });
})();
