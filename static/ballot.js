// Progressive enhancement for ballot papers; every paper works without it.
// Approval and plurality: once the allowed number is ticked, the other boxes are disabled.
document.querySelectorAll("fieldset[data-max-choices]").forEach(function (fieldset) {
  var max = parseInt(fieldset.getAttribute("data-max-choices"), 10);
  var boxes = fieldset.querySelectorAll("input[type=checkbox]");
  function update() {
    var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    boxes.forEach(function (b) { b.disabled = !b.checked && ticked >= max; });
  }
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  update();
});

// The receipt page: copy the receipt, print the page (buttons shown only when they work).
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = "Copied";
    });
  });
});
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
