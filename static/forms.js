// After a refused form, focus its summary of problems, whose links lead to each field
// (the summary is also announced as an alert without this script).
var summary = document.querySelector(".error-summary");
if (summary) { summary.focus(); }

// A form sent once is not sent again by a second click while the first is on its way (the
// server also stores a repeated comment once). Back to the page enables its buttons again.
document.querySelectorAll("form").forEach(function (form) {
  form.addEventListener("submit", function () {
    var buttons = form.querySelectorAll("button:not([type=button])");
    // After the submission has read the pressed button's name and value.
    setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
  });
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form button:disabled").forEach(function (b) { b.disabled = false; });
});
