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
