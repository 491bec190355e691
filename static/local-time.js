// Show times in the reader's own time zone, where the browser knows it. Pages already show
// them in the co-operative's zone, so nothing is lost without JavaScript.
document.querySelectorAll("time[data-local]").forEach(function (element) {
  var moment = new Date(element.getAttribute("datetime"));
  if (isNaN(moment)) { return; }
  element.textContent = moment.toLocaleString(undefined, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short"
  });
});
