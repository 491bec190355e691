// After a refused form, focus its summary of problems, whose links lead to each field
// (the summary is also announced as an alert without this script).
var summary = document.querySelector(".error-summary");
if (summary) { summary.focus(); }
