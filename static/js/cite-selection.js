// Citing by selection: words selected in the passage are copied into the excerpt field.
// Without this script the curator types or pastes the words; the server checks them either way.
(function () {
  "use strict";
  var source = document.getElementById("passage-text");
  var field = document.getElementById("id_excerpt");
  var button = document.getElementById("use-selection");
  if (!source || !field) return;

  function selectedWords() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return "";
    var range = selection.getRangeAt(0);
    if (!source.contains(range.commonAncestorContainer)) return "";
    return selection.toString().replace(/\s+/g, " ").trim();
  }

  function copySelection() {
    var words = selectedWords();
    if (words) field.value = words;
  }

  source.addEventListener("mouseup", copySelection);
  source.addEventListener("keyup", copySelection);
  if (button) {
    // For keyboard users: select with shift and the arrow keys, then press the button.
    button.hidden = false;
    button.addEventListener("click", copySelection);
  }
  source.setAttribute("tabindex", "0");
})();
