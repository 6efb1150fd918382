// After a filter form is applied (its action ends in #results), put the keyboard focus on the
// result count, so that the next Tab reaches the first result. Without this script the page
// still scrolls to the count.
(function () {
  "use strict";
  if (window.location.hash !== "#results") return;
  var target = document.getElementById("results");
  if (target) target.focus();
})();
