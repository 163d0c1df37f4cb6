// What every page may ask for, without inline script (the CSP allows none):
// - data-focus: the element that says what just happened (a refused decision, a saved form) gets the focus,
//   so a keyboard or screen-reader user, and everyone else, starts there rather than at the top of a long page;
// - data-confirm on a form: an irreversible action asks first (deleting, submitting, recording a decision).
(function () {
  "use strict";
  var focus = document.querySelector("[data-focus]");
  if (focus) {
    if (!focus.hasAttribute("tabindex")) { focus.setAttribute("tabindex", "-1"); }
    focus.focus();
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
