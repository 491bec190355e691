// Times are shown one way everywhere: in the co-operative's zone with its abbreviation. Where
// the reader's browser is in another zone, each time marked data-local is also given in the
// reader's zone, saying so, in the same day-month-year, 24-hour form.
(function () {
  var zone = document.documentElement.getAttribute("data-timezone");
  var reader;
  try { reader = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || !reader || reader === zone) { return; }
  var form = {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23"
  };
  document.querySelectorAll("time[data-local]").forEach(function (element) {
    var moment = new Date(element.getAttribute("datetime"));
    if (isNaN(moment)) { return; }
    var theirs = moment.toLocaleString("en-GB", Object.assign({ timeZone: zone }, form));
    var yours = moment.toLocaleString("en-GB", form);
    if (theirs === yours) { return; }  // another zone, the same clock at this moment
    yours = moment.toLocaleString("en-GB", Object.assign({ timeZoneName: "short" }, form));
    var note = document.createElement("span");
    note.className = "your-time";
    note.textContent = " (" + yours + " your time)";
    element.after(note);
  });
})();
